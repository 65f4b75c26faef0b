import { createMemoryStore } from '../../src/storage/memory-store.js';
import { concurrentLogContract, storeContract } from './contract.js';

storeContract('memory store', async () => createMemoryStore());
concurrentLogContract('memory store', async () => createMemoryStore());
