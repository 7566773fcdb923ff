import { describeApiKeyStore } from '../src/testing/describe-store';
import { createMemoryApiKeyStore } from '../src/index';

describeApiKeyStore('memory', () => ({ store: createMemoryApiKeyStore() }));
