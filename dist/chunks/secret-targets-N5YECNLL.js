import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-DE4FPZAQ.js";import"./chunk-4XTVFK65.js";import"./chunk-67BG23Y2.js";export{b as GITHUB_SECRET_LIMIT_BYTES,a as SECRET_NAME_PATTERN,d as assertSecretValueFits,c as parseSecretTargets};
