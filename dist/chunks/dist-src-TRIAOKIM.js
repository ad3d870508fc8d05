import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-JQHKSXIE.js";import"./chunk-ASTWQOG6.js";import"./chunk-67BG23Y2.js";export{a as Octokit};
