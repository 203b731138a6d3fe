#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx (no build step; see README → 设计决策).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
