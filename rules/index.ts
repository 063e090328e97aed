/**
 * The rule list: the one registry `pyhang rules`, SARIF's rule table, config
 * validation and the generated rule tables (`npm run docs`) read. Adding a
 * rule means adding its module here, its page under docs/rules/, its tests and
 * an example; test/contract/rules-contract.test.ts checks that they are there.
 */
import type { Rule } from '../src/engine/rule.js';
import { HANG001 } from './HANG001.js';
import { HANG002 } from './HANG002.js';
import { HANG003 } from './HANG003.js';
import { HANG004 } from './HANG004.js';
import { HANG005 } from './HANG005.js';
import { HANG006 } from './HANG006.js';
import { HANG007 } from './HANG007.js';
import { HANG008 } from './HANG008.js';
import { HANG100 } from './HANG100.js';

export const rules: readonly Rule[] = [HANG001, HANG002, HANG003, HANG004, HANG005, HANG006, HANG007, HANG008, HANG100];

export function ruleByCode(code: string): Rule | undefined {
  return rules.find((rule) => rule.meta.code === code);
}
