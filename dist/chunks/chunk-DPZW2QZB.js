import { createRequire as __cr } from 'node:module'; const require = typeof process.getBuiltinModule === 'function' ? (id) => process.getBuiltinModule(id) : __cr(import.meta.url);
var r=class extends Error{name="UserError"};function e(n){return n instanceof Error?n.message:String(n)}export{r as a,e as b};
