// How data/signatures.txt was made: the signatures of Kusto.Language's function symbols
// (npm @kusto/language-service-next, installed under NODE_MODULES_DIR), one line each:
//   node data/dump-signatures.js NODE_MODULES_DIR > data/signatures.txt
// Neither the build nor the tests need it.
global.window = global;
const dir = (process.argv[2] || 'node_modules') + '/@kusto/language-service-next/';
require(require('path').resolve(dir, 'bridge.js'));
require(require('path').resolve(dir, 'Kusto.Language.Bridge.js'));
const K = global.Kusto.Language;
const list = (l) => { if (Array.isArray(l)) return l; const r = []; for (let i = 0; i < l.Count; i++) r.push(l.getItem(i)); return r; };
// A parameter's type as Kusto.Language writes it: `long`, `string|dynamic`, a family such as
// `scalar` or `number`, `()` for a table.
const type = (s, p) => K.Symbols.DebugDisplay.GetTypeText(s, p);
const count = (n) => (n >= 32767 ? '*' : String(n));
function param(p, s) {
  if (p.ArgumentKind === 2) return '*'; // StarOnly: the argument is a literal `*`
  const occurs = p.MinOccurring === 1 && p.MaxOccurring === 1 ? ''
    : p.MinOccurring === 0 && p.MaxOccurring === 1 ? '?'
    : `{${p.MinOccurring},${count(p.MaxOccurring)}}`;
  return `${p.Name}:${type(s, p)}${occurs}`;
}
console.log(`# KQL's built-in functions' signatures, one line a signature (a function with overloads
# has several): \`kind name param...\`. A param is \`name:type\`, followed by \`?\` when it may be
# left out or by \`{min,max}\` when it may be repeated (max \`*\` = any number); params in
# brackets, \`(a:t,b:t){min,max}\`, repeat together as a block; a param \`*\` is a literal star.
# Types are as Kusto.Language's own display writes them: scalar types (several joined by \`|\`),
# families (scalar, number, integer, summable; array|dynamic, bag|dynamic) or \`()\`, a table.
# Made by data/dump-signatures.js from the function symbols of Microsoft's Kusto.Language
# ${require(require('path').resolve(dir, 'package.json')).version} (npm @kusto/language-service-next), as data/functions.txt was.`);
const seen = new Set();
for (const [kind, all] of [['scalar', K.Functions.All], ['aggregate', K.Aggregates.All], ['plugin', K.PlugIns.All]]) {
  for (const f of all) {
    for (const s of list(f.Signatures)) {
      const params = list(s.Parameters);
      const block = s.Layout.$$name.endsWith('BlockRepeatingParameterLayout');
      const words = params.map((p) => param(p, s));
      if (block) {
        const n = params.filter((p) => p.MaxOccurring > 1).length;
        const occurs = words[0].slice(words[0].indexOf('{'));
        const inner = words.slice(0, n).map((w) => w.slice(0, w.indexOf('{')));
        words.splice(0, n, `(${inner.join(',')})${occurs}`);
      }
      const min = params.reduce((a, p) => a + p.MinOccurring, 0);
      if (min !== s.MinArgumentCount) throw new Error(`${f.Name}: min ${min} != ${s.MinArgumentCount}`);
      const line = [kind, f.Name, ...words].join(' ');
      if (!seen.has(line)) console.log(line);
      seen.add(line);
    }
  }
}
// Kusto.Language parses these three as keywords, not function symbols; their one parameter
// is named as in Microsoft's reference pages.
console.log('scalar materialize expression:()');
console.log('scalar toscalar expression:()');
console.log('scalar typeof type:type');
