;; Emacs 28 + eglot (elpa-eglot): start howto-check server on mod.py, wait
;; for flymake's diagnostics, print them, shut the server down.
(require 'eglot)
(require 'python)
(add-to-list 'eglot-server-programs
             `(python-mode . (,(or (getenv "HOWTO_CHECK") "howto-check") "server")))
(find-file "mod.py")
(python-mode)
(eglot-ensure)
(run-hooks 'post-command-hook)  ; eglot-ensure connects on the next command
(let ((deadline (+ (float-time) 30)))
  (while (and (< (float-time) deadline) (null (flymake-diagnostics)))
    (accept-process-output nil 0.2)
    (flymake-start)))
(dolist (d (flymake-diagnostics))
  (princ (format "%s %s: %s\n" (line-number-at-pos (flymake-diagnostic-beg d))
                 (flymake-diagnostic-type d) (flymake-diagnostic-text d))))
(let ((server (eglot-current-server)))
  (eglot-shutdown server nil 10)
  (princ (format "server process: %s\n" (process-status (jsonrpc--process server)))))
