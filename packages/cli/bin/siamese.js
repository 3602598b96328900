#!/usr/bin/env node
// The `siamese` command. npm links `bin` entries at install time, before a clone's `dist/` exists, so the link
// points at this committed shim, which loads the built CLI.
import '../dist/cli.js';
