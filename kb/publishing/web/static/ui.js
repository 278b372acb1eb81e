/* The query page of `kb serve`: YASGUI (vendored in static/vendor/yasgui, see its README) set up to work offline
 * against this server's /sparql, with one tab per library query (GET queries.json) and the library in a sidebar.
 *
 * Offline: nothing here or in YASGUI as configured below fetches from another host. The class and property
 * autocompleters (which ask lov.linkeddata.es) are removed, the prefix autocompleter offers the prefixes of our own
 * queries instead of prefix.cc's, every query goes to this server's /sparql whatever the endpoint field or a share
 * link says, and links to our IRIs in the results open this server's page about them. The page's
 * Content-Security-Policy (connect-src 'self') stops anything that would still try.
 */
(function () {
  "use strict";

  var ENDPOINT = new URL("sparql", document.baseURI).href;
  var LIBRARY = new URL("queries.json", document.baseURI).href;
  var PAGES = new URL("page/", document.baseURI).href;
  var KB_BASE = "https://w3id.org/daxing-zuofeng/";
  var STARTER = [
    "PREFIX dxo:  <https://w3id.org/daxing-zuofeng/ontology/>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "",
    "SELECT ?s ?p ?o WHERE {",
    "  ?s ?p ?o .",
    "} LIMIT 10",
    ""
  ].join("\n");
  // Prefixes that the editor offers even if no library query declares them.
  var BASE_PREFIXES = {
    dxo: KB_BASE + "ontology/", dxv: KB_BASE + "vocab/", dxp: KB_BASE + "provision/", dxs: KB_BASE + "shape/",
    dxcal: KB_BASE + "calendar/", dxd: KB_BASE + "id/", kbg: KB_BASE + "graph/",
    eli: "http://data.europa.eu/eli/ontology#", org: "http://www.w3.org/ns/org#", schema: "https://schema.org/",
    dct: "http://purl.org/dc/terms/", owl: "http://www.w3.org/2002/07/owl#", prov: "http://www.w3.org/ns/prov#",
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#", rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    sh: "http://www.w3.org/ns/shacl#", skos: "http://www.w3.org/2004/02/skos/core#",
    time: "http://www.w3.org/2006/time#", xsd: "http://www.w3.org/2001/XMLSchema#"
  };

  var statusEl = document.getElementById("status");
  var listEl = document.getElementById("library-list");
  var filterEl = document.getElementById("library-filter");
  document.getElementById("endpoint-url").textContent = new URL(ENDPOINT).pathname;

  function say(zh, en, isError) {
    statusEl.textContent = "";
    statusEl.appendChild(document.createTextNode(zh + " "));
    var span = document.createElement("span");
    span.className = "en";
    span.textContent = en;
    statusEl.appendChild(span);
    statusEl.classList.toggle("error", !!isError);
    statusEl.hidden = !zh && !en;
  }

  if (typeof window.Yasgui !== "function") {
    say("查询编辑器未能加载。", "The query editor (YASGUI) did not load.", true);
    return;
  }
  var Yasgui = window.Yasgui;

  /** The prefixes declared by the library queries, over the base ones: {prefix: namespace}. */
  function prefixesOf(queries) {
    var found = Object.assign({}, BASE_PREFIXES);
    var declaration = /^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gim;
    queries.forEach(function (q) {
      var m;
      declaration.lastIndex = 0;
      while ((m = declaration.exec(q.text)) !== null) {
        if (m[1] && !(m[1] in found)) found[m[1]] = m[2];
      }
    });
    return found;
  }

  /** A short stable fingerprint of the library, so that tabs kept in the browser belong to this library. */
  function fingerprint(queries) {
    var text = JSON.stringify(queries.map(function (q) { return [q.name, q.text]; }));
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  /** Set YASGUI up so that it reaches no other host. Must run before `new Yasgui`. */
  function offline(prefixes) {
    var Yasqe = Yasgui.Yasqe;
    // class and property completion ask Linked Open Vocabularies (lov.linkeddata.es): removed
    delete Yasqe.Autocompleters["class"];
    delete Yasqe.Autocompleters.property;
    // Yasgui.defaults.yasqe is this same object; set in place, since a config array would be merged by index
    Yasqe.defaults.autocompleters = ["variables", "prefixes"];
    Yasqe.defaults.prefixCcApi = null; // never prefix.cc
    var declarations = Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; });
    // a list (not a function) is used as it is on every load, and nothing is kept in localStorage: a list saved
    // there would otherwise win over the current one
    Yasqe.registerAutocompleter(Object.assign({}, Yasqe.Autocompleters.prefixes, {
      get: declarations,
      persistenceId: null
    }), false);
    Yasqe.defaults.value = STARTER;
  }

  function config(persistenceId, prefixes) {
    var onlyHere = function () { return ENDPOINT; };
    return {
      // a function is evaluated at each request and wins over the tab's own endpoint (typed, or from a link)
      requestConfig: { endpoint: onlyHere, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: {
        getData: function () { return [{ endpoint: ENDPOINT }]; },
        keys: []
      },
      corsProxy: undefined,
      persistenceId: persistenceId,
      persistencyExpire: 60 * 60 * 24 * 30,
      autoAddOnInit: false,
      autofocus: false,
      tabName: "查询 Query",
      // a share link (#query=...) opens as a tab, but runs here whatever endpoint it names
      populateFromUrl: function (tab) {
        tab.requestConfig = Object.assign({}, tab.requestConfig, { endpoint: ENDPOINT, method: "POST" });
        return tab;
      },
      endpointInfo: function () {
        var info = document.createElement("span");
        info.className = "kb-endpoint";
        info.textContent = "端点 Endpoint: " + new URL(ENDPOINT).pathname;
        return info;
      },
      yasqe: { editorHeight: "320px" },
      yasr: {
        prefixes: prefixes,
        maxPersistentResponseSize: 0 // answers are not kept: they may be from other data next time
      }
    };
  }

  /** Links to our IRIs in the results open this server's page about the resource. */
  function localLinks(root) {
    function rewrite(node) {
      if (!node.querySelectorAll) return;
      var anchors = node.matches && node.matches("a[href]") ? [node] : [];
      anchors = anchors.concat(Array.prototype.slice.call(node.querySelectorAll("a[href^='" + KB_BASE + "']")));
      anchors.forEach(function (a) {
        var href = a.getAttribute("href");
        if (href && href.indexOf(KB_BASE) === 0) {
          a.setAttribute("href", PAGES + href.slice(KB_BASE.length));
          a.setAttribute("title", href);
        }
      });
    }
    rewrite(root);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) { m.addedNodes.forEach(rewrite); });
    }).observe(root, { childList: true, subtree: true });
  }

  function tabNamed(yasgui, name) {
    var ids = yasgui.persistentConfig.getTabs();
    for (var i = 0; i < ids.length; i++) {
      var tab = yasgui.persistentConfig.getTab(ids[i]);
      if (tab && tab.name === name) return ids[i];
    }
    return undefined;
  }

  /** Yasgui.selectTabId does nothing while no tab is active; markTabSelected does. */
  function selectTab(yasgui, id) {
    if (yasgui.getTab()) yasgui.selectTabId(id);
    else if (yasgui.markTabSelected(id)) yasgui.persistentConfig.setActive(id);
  }

  function openQuery(yasgui, q, select) {
    var id = tabNamed(yasgui, q.name);
    if (id !== undefined) {
      if (select) selectTab(yasgui, id);
      return id;
    }
    var tab = yasgui.addTab(select, { name: q.name, yasqe: { value: q.text } });
    return tab.getId();
  }

  function drawLibrary(yasgui, queries) {
    listEl.textContent = "";
    queries.forEach(function (q) {
      var li = document.createElement("li");
      li.dataset.name = q.name;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "query";
      button.title = q.summary;
      var name = document.createElement("code");
      name.textContent = q.name;
      button.appendChild(name);
      var summary = document.createElement("span");
      summary.className = "summary";
      summary.textContent = q.summary;
      button.appendChild(summary);
      if (q.params.length) {
        var params = document.createElement("span");
        params.className = "params";
        params.textContent = "参数 Params: " + q.params.map(function (p) {
          return "?" + p.name + " (" + p.type + (p.required ? ", 必填 required" : ", 可选 optional") + ")";
        }).join("  ");
        button.appendChild(params);
      }
      button.addEventListener("click", function () { openQuery(yasgui, q, true); });
      li.appendChild(button);
      listEl.appendChild(li);
    });
    markCurrent(yasgui);
  }

  function markCurrent(yasgui) {
    var tab = yasgui.getTab();
    var name = tab ? tab.getName() : null;
    Array.prototype.forEach.call(listEl.children, function (li) {
      var current = li.dataset.name === name;
      li.classList.toggle("current", current);
      if (current) li.firstChild.setAttribute("aria-current", "true");
      else li.firstChild.removeAttribute("aria-current");
    });
  }

  filterEl.addEventListener("input", function () {
    var words = filterEl.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(listEl.children, function (li) {
      var text = li.textContent.toLowerCase();
      li.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });

  function start(queries) {
    var prefixes = prefixesOf(queries);
    var persistenceId = "kb_" + fingerprint(queries);
    var storageKey = persistenceId + "_config";
    var kept = false;
    try {
      kept = window.localStorage.getItem(storageKey) !== null;
    } catch (e) { /* no localStorage here: nothing is kept */ }
    var linked = /(^#|&)query=/.test(window.location.hash); // a share link: YASGUI opens it as a tab
    offline(prefixes);
    var root = document.getElementById("yasgui");
    var yasgui = new Yasgui(root, config(persistenceId, prefixes));
    window.kbYasgui = yasgui; // for the browser test and for curious analysts
    if (!kept || !yasgui.persistentConfig.getTabs().length) {
      // the first query is selected, unless a share link opened a tab of its own
      var selectFirst = !linked || !yasgui.getTab();
      queries.forEach(function (q, i) { openQuery(yasgui, q, selectFirst && i === 0); });
    }
    if (!yasgui.persistentConfig.getTabs().length) {
      yasgui.addTab(true, { name: "查询 Query" });
    } else if (!yasgui.getTab()) {
      selectTab(yasgui, yasgui.persistentConfig.getTabs()[0]);
    }
    drawLibrary(yasgui, queries);
    ["tabSelect", "tabChange", "tabClose", "tabAdd"].forEach(function (event) {
      yasgui.on(event, function () { window.setTimeout(function () { markCurrent(yasgui); }, 0); });
    });
    localLinks(root);
    document.getElementById("reset").addEventListener("click", function () {
      try { window.localStorage.removeItem(storageKey); } catch (e) { /* nothing was kept */ }
      window.location.reload();
    });
    say("", "");
    document.body.dataset.ready = "true";
  }

  say("正在加载查询库…", "Loading the query library…");
  fetch(LIBRARY, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      say("无法加载查询库（" + error.message + "）。", "Could not load the query library (" + error.message + ").", true);
      if (!window.kbYasgui) {
        // the editor still works without the library
        try { start([]); } catch (e) { /* keep the message */ }
        say("无法加载查询库（" + error.message + "）。", "Could not load the query library (" + error.message + ").", true);
      }
    });
})();
