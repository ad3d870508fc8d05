import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
function n(t){return t.charAt(0).toUpperCase()+t.slice(1)}function e(t){let r=t.trim();return`${n(r)}${/[.!?]$/.test(r)?"":"."}`}function i(t){return/^[A-Za-z0-9_./:@%+=,-][A-Za-z0-9_./:@%+=,#~-]*$/.test(t)?t:`'${t.replace(/'/g,"'\\''")}'`}export{n as a,e as b,i as c};
