#!/usr/bin/env node
// `oclif manifest` lists commands in the order its parallel imports finish,
// so the committed oclif.manifest.json changed on every build. Sort the
// commands by id (oclif does not depend on the order) to make it stable.
import {readFileSync, writeFileSync} from 'node:fs';

const path = new URL('../oclif.manifest.json', import.meta.url);
const manifest = JSON.parse(readFileSync(path, 'utf8'));
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, JSON.stringify(manifest, null, 2));
