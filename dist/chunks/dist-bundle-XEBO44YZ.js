import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-V42GYJG2.js";import"./chunk-67BG23Y2.js";export{a as composePaginateRest,c as isPaginatingEndpoint,d as paginateRest,b as paginatingEndpoints};
