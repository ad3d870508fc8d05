import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as t,e as o,f as n}from"./chunk-OWSV45GF.js";import"./chunk-ASTWQOG6.js";import"./chunk-TZN7URKK.js";var x=new t;function s(e,i,...r){let c=o.plugin(...r);return new c(n(e,i))}export{x as context,s as getOctokit};
