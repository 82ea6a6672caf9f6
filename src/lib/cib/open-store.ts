// `-f FILE` selects the file store, otherwise the live cluster.
import {FileCibStore} from './file-store.js';
import {LiveCibStore} from './live-store.js';
import type {CibStore} from './store.js';

export function openCibStore(file: string | undefined): CibStore {
  return file === undefined ? new LiveCibStore() : new FileCibStore(file);
}
