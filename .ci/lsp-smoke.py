#!/usr/bin/env python3
"""lsp-smoke.py — drive any LSP server over stdio with a hand-written JSON-RPC
exchange (stdlib only) and check it publishes diagnostics for a document.
Vendored from the project's shared tools so a clean clone can run it on its own.

Usage:
  lsp-smoke.py [--lang ID] [--expect N] [--change TEXT] FILE -- SERVER_CMD [ARGS...]

  e.g. lsp-smoke.py demo.py -- ruff server
       lsp-smoke.py --lang plaintext --change 'fixed text' t.txt -- typos-lsp

Sequence: initialize -> initialized -> textDocument/didOpen -> wait for
textDocument/publishDiagnostics -> (optional didChange full text -> wait) ->
didSave -> shutdown -> exit.  Exit 0 when the first publish carried at least
--expect diagnostics (default 1), 1 otherwise, 2 on protocol/timeout errors.
Positions are printed as the server sent them (0-based line/character, in the
negotiated position encoding; UTF-16 unless the server picked another).
"""
import argparse, json, os, pathlib, subprocess, sys, threading, queue, time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default=None, help="languageId (default from extension)")
    ap.add_argument("--expect", type=int, default=1)
    ap.add_argument("--change", default=None, help="full replacement text sent via didChange")
    ap.add_argument("--timeout", type=float, default=15.0)
    ap.add_argument("file")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("missing server command after --")
    path = pathlib.Path(a.file).resolve()
    uri = path.as_uri()                      # percent-encodes spaces etc.
    text = path.read_text(encoding="utf-8")
    lang = a.lang or {".py": "python", ".js": "javascript", ".ts": "typescript",
                      ".rs": "rust", ".toml": "toml"}.get(path.suffix, "plaintext")

    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=str(path.parent))
    inbox: "queue.Queue[dict]" = queue.Queue()

    def reader():
        out = proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            inbox.put(json.loads(body))

    threading.Thread(target=reader, daemon=True).start()
    next_id = [0]

    def send(method, params=None, is_request=False):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        if is_request:
            next_id[0] += 1
            msg["id"] = next_id[0]
        data = json.dumps(msg).encode("utf-8")
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        proc.stdin.flush()
        return msg.get("id")

    def wait(pred, what):
        deadline = time.time() + a.timeout
        while time.time() < deadline:
            try:
                m = inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            if "id" in m and "method" in m:          # server->client request
                send_response(m)
                continue
            if pred(m):
                return m
        raise TimeoutError(f"timed out waiting for {what}")

    def send_response(req):
        # answer workspace/configuration, client/registerCapability, etc. minimally
        result = None
        if req["method"] == "workspace/configuration":
            result = [None for _ in req.get("params", {}).get("items", [])]
        data = json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": result}).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        proc.stdin.flush()

    try:
        rid = send("initialize", {
            "processId": os.getpid(),
            "rootUri": path.parent.as_uri(),
            "workspaceFolders": [{"uri": path.parent.as_uri(), "name": path.parent.name}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {
                    "synchronization": {"didSave": True},
                    "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}},
                },
                "workspace": {"workspaceFolders": True, "configuration": True},
            },
        }, is_request=True)
        init = wait(lambda m: m.get("id") == rid, "initialize response")
        caps = init.get("result", {}).get("capabilities", {})
        info = init.get("result", {}).get("serverInfo", {})
        print(f"server: {info.get('name')} {info.get('version')}")
        print(f"positionEncoding: {caps.get('positionEncoding', 'utf-16 (default)')}")
        print(f"textDocumentSync: {json.dumps(caps.get('textDocumentSync'))}")
        print(f"codeActionProvider: {json.dumps(caps.get('codeActionProvider'))}")
        print(f"diagnosticProvider (pull): {json.dumps(caps.get('diagnosticProvider'))}")
        send("initialized", {})
        send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}})
        is_diag = lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        pub = wait(is_diag, "publishDiagnostics after didOpen")
        diags = pub["params"]["diagnostics"]
        print(f"didOpen -> {len(diags)} diagnostic(s)")
        for d in diags:
            s = d["range"]["start"]
            print(f"  {path.name}:{s['line'] + 1}:{s['character'] + 1}: {d.get('code')} {d['message']}  (0-based {s['line']}:{s['character']})")
        ok = len(diags) >= a.expect
        if a.change is not None:
            send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                            "contentChanges": [{"text": a.change}]})
            pub2 = wait(is_diag, "publishDiagnostics after didChange")
            print(f"didChange -> {len(pub2['params']['diagnostics'])} diagnostic(s)")
        send("textDocument/didSave", {"textDocument": {"uri": uri}})
        sid = send("shutdown", None, is_request=True)
        wait(lambda m: m.get("id") == sid, "shutdown response")
        send("exit")
        proc.wait(timeout=5)
        return 0 if ok else 1
    except (TimeoutError, BrokenPipeError, KeyError, json.JSONDecodeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if proc.poll() is None:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
