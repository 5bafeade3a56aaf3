// Preload (`node --import`) that records every module a process loads, as
// "<parent> -> <child>" lines appended to $SOVRA_RECORD_MODULES: ES modules
// through a resolve hook (in the loader thread), CommonJS through Module._load.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.SOVRA_RECORD_MODULES;
if (file) {
  register(new URL('./record-modules-hooks.mjs', import.meta.url), { data: { file } });
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    try {
      const resolved = Module._resolveFilename(request, parent, isMain);
      appendFileSync(file, `${parent?.filename ?? '(main)'} -> ${resolved}\n`);
    } catch {
      // Not resolvable here: the real load reports it.
    }
    return load.apply(this, arguments);
  };
}
