// Dumps MathJax 3's TeX input dialect as JSON: every command and environment of the packages the
// blog can use, and for each the shortest argument pattern MathJax itself accepts (found by trial
// parses). Run by tools/mathjax_table.py, which adds what LaTeX makes of each; not used by the build.
//   node tools/mathjax_table.js <path to node_modules/mathjax-full> > table.json
'use strict';
const root = process.argv[2];
const {mathjax} = require(root + '/js/mathjax.js');
const {TeX} = require(root + '/js/input/tex.js');
const {liteAdaptor} = require(root + '/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require(root + '/js/handlers/html.js');
require(root + '/js/input/tex/AllPackages.js');
const {ConfigurationHandler} = require(root + '/js/input/tex/Configuration.js');
const {MapHandler} = require(root + '/js/input/tex/MapHandler.js');

// MathJax's default TeX component (base ams newcommand noundefined require autoload configmacros), the
// packages `autoload` brings in on first use, and the packages a post can `\require` that LaTeX has a
// counterpart for. Left out: physics (not autoloaded, and its names clash with LaTeX's), bussproofs,
// colorv2/setoptions/tagformat/noerrors/noundefined (settings, not commands), textmacros (text mode).
// `\require` itself is handled before a formula reaches any table (it prints nothing).
const PACKAGES = ['base', 'ams', 'newcommand',
  'action', 'amscd', 'bbox', 'boldsymbol', 'braket', 'cancel', 'color', 'enclose', 'extpfeil', 'html',
  'mhchem', 'unicode', 'verb',
  'mathtools', 'cases', 'centernot', 'empheq', 'gensymb', 'upgreek', 'textcomp', 'colortbl'];

// Method name of every parse function, for the record (MathJax keeps functions, not names).
const methodName = new Map();
for (const mod of Object.values(require.cache)) {
  for (const obj of [mod.exports, mod.exports && mod.exports.default]) {
    if (!obj || typeof obj !== 'object') continue;
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'function' && !methodName.has(v)) methodName.set(v, k);
    }
  }
}

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({packages: PACKAGES,
                     formatError: (jax, err) => { throw err; }});
const doc = mathjax.document('', {InputJax: tex});

function accepts(source, display) {
  try { doc.convert(source, {display: display}); return true; } catch (e) { return false; }
}

// Argument patterns tried in order; the first MathJax accepts is the command's sample.
const ARGS = ['', '{x}', '{x}{y}', '{x}{y}{z}', '{x}{y}{z}{w}', '[x]{y}', '{1em}', '{red}{x}', '{1em}{1em}',
  '{x}[y]', '{1em}{x}', '{red}', '{x}{1em}{1em}', '{x263A}', '{H2O}', '{1}{x}', ' x', '{1em}{1em}{1em}',
  '{red}{blue}{x}', '[red]{x}', '{rgb}{1,0,0}{x}', '{x}{y}{z}{w}{v}', '{updiagonalstrike}{x}'];
// Contexts a command may need: plain math, an array cell, a display's row, a multline, an align.
const CONTEXTS = [
  ['inline', s => s, false],
  ['display', s => s, true],
  ['array', s => '\\begin{array}{cc}' + s + ' a & b\\\\ c & d\\end{array}', true],
  ['align', s => '\\begin{align}a&=b ' + s + '\\\\ c&=d\\end{align}', true],
  ['multline', s => '\\begin{multline}a ' + s + '\\\\ b\\end{multline}', true],
  ['delimited', s => '\\left(x ' + s + ' y\\right)', true],
  ['after-operator', s => '\\sum' + s + '_a^b', true],
  ['numerator', s => '{a ' + s + ' b}', true],
];

function sampleFor(name) {
  for (const [context, wrap, display] of CONTEXTS) {
    for (const args of ARGS) {
      const src = '\\' + name + args;
      if (accepts(wrap(src), display)) return {sample: src, context: context};
    }
  }
  return null;
}

const ENV_ARGS = ['', '{cc}', '{2}', '{c}', '[c]', '[t]{cc}', '{x}'];
const ENV_BODIES = ['a & b \\\\ c & d', 'a', 'A @>>> B @>>> C'];
function envSampleFor(name) {
  for (const display of [false, true]) {
    for (const args of ENV_ARGS) {
      for (const body of ENV_BODIES) {
        const src = '\\begin{' + name + '}' + args + ' ' + body + ' \\end{' + name + '}';
        if (accepts(src, display)) return {sample: src, context: display ? 'display' : 'inline'};
      }
    }
  }
  return null;
}

const commands = {}, environments = {}, characters = {}, delimiters = {};
for (const pkg of PACKAGES) {
  const conf = ConfigurationHandler.get(pkg);
  if (!conf) throw new Error('no MathJax package ' + pkg);
  for (const kind of ['macro', 'delimiter', 'character', 'environment']) {
    for (const mapName of conf.handler[kind] || []) {
      const map = MapHandler.getMap(mapName);
      if (!map || !map.map) continue;  // RegExpMaps (letters, digits) name no commands
      // What may follow \left: `(`, `\langle`, `\lt` (as a delimiter \lt is ⟨; as a command, <).
      const isDelimiter = kind === 'delimiter' || /delimiter/i.test(mapName);
      for (const [rawKey, entry] of map.map) {
        // Delimiters keep their backslash: `|` and `\|` are different delimiters.
        const key = !isDelimiter && rawKey.length > 1 && rawKey[0] === '\\' ? rawKey.slice(1) : rawKey;
        const table = isDelimiter ? delimiters :
          (kind === 'environment' ? environments : (kind === 'character' ? characters : commands));
        if (table[key]) continue;  // the first package that defines a name is where it comes from
        const rec = {package: pkg, map: mapName};
        if (entry.func && methodName.has(entry.func)) rec.method = methodName.get(entry.func);
        if (typeof entry.char === 'string') rec.char = entry.char;
        table[key] = rec;
      }
    }
  }
}

for (const [name, rec] of Object.entries(commands)) {
  if (/^[A-Za-z]+$/.test(name) || name.length === 1) {
    const s = name === 'begin' || name === 'end' ? null : sampleFor(name);
    if (s) Object.assign(rec, s); else rec.sample = null;
  }
}
for (const [name, rec] of Object.entries(environments)) {
  const s = envSampleFor(name);
  if (s) Object.assign(rec, s); else rec.sample = null;
}

const version = require(root + '/package.json').version;
process.stdout.write(JSON.stringify({mathjax: version, packages: PACKAGES, commands, environments,
                                     characters, delimiters}, null, 0));
