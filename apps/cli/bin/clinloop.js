#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources through SWC (decorator metadata included), so a fresh clone needs no build step.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.resolve(__dirname, '../../../tsconfig.json');
require('@swc-node/register');
void require('../src/main.ts').runCli(process.argv);
