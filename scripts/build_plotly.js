/* The plotly.js the dashboards load (issue 17: at most 350 KB first load).
 *
 *   node scripts/build_plotly.js static/vendor/plotly.min.js
 *
 * Run by `make assets`. Built with esbuild from the pinned `plotly.js`
 * npm package's own sources: its core (which always carries the scatter
 * trace, our line charts) with the bar trace, the only two trace types the
 * charts in views/*_charts.py draw. Compared with the published
 * plotly-basic bundle it leaves out what no chart here uses: the pie trace,
 * the world calendars, the components for sliders, update menus, range
 * sliders and selectors, layout images and 3-D annotations, and the
 * maplibre style sheet plotly's registry inlines for map traces. That is
 * about 20 KB less over the wire (brotli), the same charts.
 *
 * plotly's src/core.js is read as it is and only those registrations are
 * taken out; each must be found, so a plotly.js upgrade that moves them
 * stops the build instead of quietly shipping everything again.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");

const SOURCE = path.dirname(require.resolve("plotly.js/src/core.js"));
const VERSION = require("plotly.js/package.json").version;
const LEFT_OUT = ["annotations3d", "images", "updatemenus", "sliders", "rangeslider", "rangeselector"];

function entry() {
  let core = fs.readFileSync(path.join(SOURCE, "core.js"), "utf8");
  for (const component of LEFT_OUT) {
    const line = new RegExp(`^\\s*require\\('\\./components/${component}'\\),?\\n`, "m");
    if (!line.test(core)) {
      throw new Error(`plotly.js ${VERSION}: src/core.js no longer registers ${component}`);
    }
    core = core.replace(line, "");
  }
  return core + "\nregister(require('./traces/bar'));\n";
}

// Map traces are not registered, so the style sheet their registry branch
// asks for is never used: resolve it to nothing.
const noMapStyles = {
  name: "no-map-styles",
  setup(build) {
    build.onResolve({ filter: /maplibre-gl\.css$/ }, () => ({ path: "maplibre-gl.css", namespace: "empty" }));
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
  },
};

const outfile = process.argv[2];
if (!outfile) {
  throw new Error("usage: node scripts/build_plotly.js OUTFILE");
}
esbuild.build({
  stdin: { contents: entry(), resolveDir: SOURCE, sourcefile: "plotly-core-bar.js" },
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  plugins: [noMapStyles],
  // What plotly's own esbuild-config.js defines for the browser bundle.
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  alias: { stream: "stream-browserify" },
  banner: { js: `/* plotly.js ${VERSION} (MIT license, Plotly, Inc.): core, scatter and bar; built by scripts/build_plotly.js */` },
  logLevel: "error",
}).catch(() => process.exit(1));
