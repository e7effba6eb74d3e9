import type { AppConfig } from '@clinloop/config';
import { loadTotpSecretCipher, type TotpSecretCipher } from '@clinloop/auth';
import type { Logger } from '@clinloop/observability';

/** The key the API encrypts TOTP secrets with, so what the CLI seeds is never stored in clear. */
export function totpCipherFor(config: AppConfig, logger: Logger): Promise<TotpSecretCipher> {
  return loadTotpSecretCipher({ keyFile: config.authTotpKeyFile, dataDir: config.dataDir, production: config.nodeEnv === 'production', log: (line) => logger.info(line) });
}
