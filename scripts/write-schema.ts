// Regenerates azureml-tls.schema.json from the config shape (`npm run schema`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildConfigSchema } from '../lib/config/schema';

fs.writeFileSync(path.resolve(__dirname, '..', '..', 'azureml-tls.schema.json'), `${JSON.stringify(buildConfigSchema(), null, 2)}\n`);
