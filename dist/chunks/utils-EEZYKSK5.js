import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as a,c as b,d as c,e as d,f as e}from"./chunk-VDOV7ITM.js";import"./chunk-ASTWQOG6.js";import"./chunk-67BG23Y2.js";export{d as GitHub,b as context,c as defaults,e as getOctokitOptions,a as getUserAgentWithOrchestrationId};
