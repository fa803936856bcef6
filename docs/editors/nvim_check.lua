-- Neovim 0.7+: start howto-check server, open a file, wait for its
-- diagnostics and write them to the file named by $OUT.
local out = os.getenv("OUT")
local client_id = vim.lsp.start_client({
  name = "howto-check",
  cmd = { os.getenv("HOWTO_CHECK") or "howto-check", "server" },
  root_dir = vim.fn.getcwd(),
})
vim.cmd("edit mod.py")
vim.lsp.buf_attach_client(0, client_id)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(lines, string.format("%d:%d-%d:%d %s %s [%s] sev=%d", d.lnum, d.col, d.end_lnum,
    d.end_col, d.code or "", d.message, d.source or "", d.severity))
end
if not ok then table.insert(lines, "TIMEOUT") end
-- the code actions on the first diagnostic, as :lua vim.lsp.buf.code_action() lists them
local d = vim.diagnostic.get(0)[1]
if d then
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(),
    range = { start = { line = d.lnum, character = d.col },
              ["end"] = { line = d.end_lnum, character = d.end_col } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(0, d.lnum) },
  }
  local answers = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 20000) or {}
  for _, a in pairs(answers) do
    for _, action in ipairs(a.result or {}) do
      table.insert(lines, "action: " .. action.title .. (action.edit and " (edit)" or ""))
    end
  end
  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", {
    textDocument = params.textDocument, position = params.range.start }, 20000) or {}
  for _, h in pairs(hover) do
    if h.result then table.insert(lines, "hover: " .. h.result.contents.value:sub(1, 40):gsub("\n", " ")) end
  end
end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 100)
vim.cmd("qa!")
