import { portalNextConfig } from '@clinloop/portal-kit/next-config';

// Shared with the other portal: security headers, the kit as TypeScript source, the test build folder.
export default portalNextConfig();
