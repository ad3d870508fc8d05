import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-JDH3SJ7B.js";import"./chunk-67BG23Y2.js";export{b as legacyRestEndpointMethods,a as restEndpointMethods};
