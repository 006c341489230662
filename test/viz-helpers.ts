// Checks on written reports: the HTML is well formed (every tag closed in order) and its plots.

/** Throws unless every element of the markup is closed in order (void HTML elements excepted). */
export function checkWellFormed(html: string): void {
  const voids = new Set(['meta', 'br', 'img', 'hr', 'input', 'link']);
  const stack: string[] = [];
  const body = html.replace(/<!doctype[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (!selfClose && !voids.has(name.toLowerCase())) {
      stack.push(name);
    }
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
}

/** The inline SVG plots of a report, each with its number of drawn paths. */
export function plots(html: string): { title: string; paths: number }[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map(([svg]) => ({
    title: /<text[^>]*>([^<]*)<\/text>/.exec(svg.slice(svg.lastIndexOf('role-title') - 200))?.[1] ?? '',
    paths: (svg.match(/<path [^>]*d="M/g) ?? []).length,
  }));
}
