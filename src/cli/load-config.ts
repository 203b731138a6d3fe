import { config as loadDotenv } from 'dotenv';
import { type Env, loadEnv } from '../config/env.ts';
import { isCodedError } from '../domain/errors.ts';

/** Reads `.env` (if present) then validates the environment; prints every problem and exits on failure. */
export function loadConfigOrExit(): Env {
  loadDotenv({ quiet: true });
  try {
    return loadEnv();
  } catch (err) {
    if (isCodedError(err)) {
      process.stderr.write(`${err.message}\n\n参考 .env.example 中每个配置项的说明。\n`);
      process.exit(2);
    }
    throw err;
  }
}
