export const MAIN_HELP = `Usage: image-generation-mcp [-v] <command> [options]

An MCP server that generates, edits, stores and transforms images.

Commands:
  serve            Run the MCP server (stdio by default, or streamable HTTP)
  import <dir>     Import a scratch directory (images + JSON sidecars) into the gallery
  doctor           Check configuration, storage and every configured provider

Options:
  -v, --verbose    Debug logging (to stderr)
  -V, --version    Print the version
  -h, --help       Show this help

Configuration comes from IMAGE_GENERATION_MCP_* environment variables (see the README).
`

export const SERVE_HELP = `Usage: image-generation-mcp serve [options]

Options:
  -t, --transport <stdio|http>  Transport (default: stdio)
      --host <host>             HTTP bind host (default: IMAGE_GENERATION_MCP_HOST or 127.0.0.1)
  -p, --port <port>             HTTP port (default: IMAGE_GENERATION_MCP_PORT or 8000)
      --http-path, --path <p>   HTTP path of the MCP endpoint (default: IMAGE_GENERATION_MCP_HTTP_PATH or /mcp)
  -h, --help                    Show this help
`

export const IMPORT_HELP = `Usage: image-generation-mcp import <dir>

Imports every <id>.json sidecar with its <id>-original.<ext> file from <dir> into the gallery
(copying the files into the scratch directory when <dir> is elsewhere). Corrupt sidecars and
sidecars whose original file is missing are skipped with a warning.
`

export const DOCTOR_HELP = `Usage: image-generation-mcp doctor

Prints the resolved configuration (secrets masked), checks the database's integrity, that the scratch and
styles dirs are writable, and that every configured provider answers and which models it offers.
Exits 1 when something needs fixing, with the fix on one line.
`
