import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as t,e as o,f as n}from"./chunk-VDOV7ITM.js";import"./chunk-ASTWQOG6.js";import"./chunk-67BG23Y2.js";var x=new t;function s(e,i,...r){let c=o.plugin(...r);return new c(n(e,i))}export{x as context,s as getOctokit};
