import 'dotenv/config';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { createAdapterFactory, resolveDatabaseTarget } from './src/store/adapter.ts';

// The CLI (generate, migrate deploy, migrate diff) runs on the same adapters as the service:
// PGlite under DATA_DIR when DATABASE_URL is unset, PostgreSQL otherwise. No engine binary is downloaded.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: () =>
    createAdapterFactory(
      resolveDatabaseTarget(process.env.DATABASE_URL, path.join(process.env.DATA_DIR ?? 'data', 'pglite')),
    ),
});
