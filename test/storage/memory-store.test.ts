import { createMemoryStore } from '../../src/storage/memory-store.js';
import { storeContract } from './contract.js';

storeContract('memory store', async () => createMemoryStore());
