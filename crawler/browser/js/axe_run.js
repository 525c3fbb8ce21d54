// Run axe-core (already injected into every frame) once on the document (argument:
// [tags, maxNodesPerRule]) and return its results trimmed to plain JSON.
async ([tags, maxNodes]) => {
  const r = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete'],
    iframes: true, frameWaitTime: 5000, performanceTimer: false});
  const keepNodes = (nodes) => nodes.slice(0, maxNodes).map(n => ({
    target: n.target, html: (n.html || '').slice(0, 600), impact: n.impact,
    failureSummary: (n.failureSummary || '').slice(0, 600)}));
  const rule = (x, withNodes) => ({
    id: x.id, impact: x.impact, tags: x.tags, help: x.help, helpUrl: x.helpUrl,
    description: x.description, node_count: x.nodes.length,
    nodes: withNodes ? keepNodes(x.nodes) : []});
  return {
    axe_version: r.testEngine.version, url: r.url, timestamp: r.timestamp,
    tags: tags, violations: r.violations.map(x => rule(x, true)),
    incomplete: r.incomplete.map(x => rule(x, true)),
    passes: r.passes.map(x => ({id: x.id, tags: x.tags})),
    inapplicable: r.inapplicable.map(x => x.id),
  };
}
