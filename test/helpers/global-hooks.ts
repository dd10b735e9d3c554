// Root hooks: whatever a test file forgot, every database made during the run is dropped at the end.
import { dropAllTestDatabases } from './database.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await dropAllTestDatabases();
  },
};
