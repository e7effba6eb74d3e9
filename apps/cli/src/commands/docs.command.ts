import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { renderConfigTable, replaceConfigTable } from '@clinloop/config';

export function registerDocsCommands(program: Command): void {
  const config = program.command('config').description('configuration settings');
  config
    .command('docs')
    .description('print the configuration table, or write/check it in a README')
    .option('--write <file>', 'replace the generated table in this file')
    .option('--check <file>', 'exit 1 if the table in this file is out of date')
    .action(async (options: { write?: string; check?: string }) => {
      if (options.write) {
        await writeFile(options.write, replaceConfigTable(await readFile(options.write, 'utf8')));
        process.stdout.write(`Updated the configuration table in ${options.write}.\n`);
      } else if (options.check) {
        const text = await readFile(options.check, 'utf8');
        if (replaceConfigTable(text) !== text) {
          process.stderr.write(`The configuration table in ${options.check} is out of date: run npm run docs:config\n`);
          process.exitCode = 1;
        }
      } else {
        process.stdout.write(`${renderConfigTable()}\n`);
      }
    });
}
