import { readFileSync } from 'node:fs';
import path from 'node:path';

const rootPackage = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };

export const CLINLOOP_VERSION = rootPackage.version;
