import { UriTemplate, type Variables } from "@modelcontextprotocol/sdk/shared/uriTemplate.js"

/**
 * A URI template whose `{?a,b}` query part is optional and order-free. The SDK's matcher makes every query
 * variable required and ordered; here the path is matched by the SDK and the query by URLSearchParams.
 */
export class QueryTolerantTemplate extends UriTemplate {
  private readonly path: UriTemplate

  constructor(template: string) {
    super(template)
    this.path = new UriTemplate(template.replace(/\{\?[^}]*\}/, ""))
  }

  override match(uri: string): Variables | null {
    const cut = uri.search(/[?#]/)
    const path = cut === -1 ? uri : uri.slice(0, cut)
    const variables = this.path.match(path)
    if (!variables) return null
    const query = cut === -1 || uri[cut] === "#" ? "" : uri.slice(cut + 1).split("#")[0]
    for (const [key, value] of new URLSearchParams(query)) {
      if (!(key in variables)) variables[key] = value
    }
    return variables
  }
}
