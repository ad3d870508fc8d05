import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-CBE3A7XP.js";import"./chunk-FHWV4RZQ.js";import"./chunk-KFJNMIA7.js";import"./chunk-RAXKS5HU.js";import"./chunk-4XTVFK65.js";import"./chunk-67BG23Y2.js";export{a as ALERT_REQUESTS_PER_HEALTHY_RUN,b as ReauthAlerts,d as describeGitHubError,c as statusOf};
