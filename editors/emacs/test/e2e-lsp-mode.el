;;; e2e-lsp-mode.el --- End-to-end test of stablestack.el with lsp-mode  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by editors/emacs/test/run.sh in `emacs --batch' (Debian's elpa-lsp-mode 8.0).  Checks
;; that stablestack.el registers an add-on client that lsp-mode starts for Python and JS,
;; that diagnostics arrive, and that the quick fix applies and the file saves.  Results go
;; to $EDITORS_RESULTS like e2e.el.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'lsp-mode)
(add-to-list 'load-path (getenv "STABLESTACK_EL_DIR"))
(require 'stablestack)

(defvar e2e-results (getenv "EDITORS_RESULTS"))
(defvar e2e-workspace (file-name-as-directory (getenv "WORKSPACE")))
(defvar e2e-timeout (string-to-number (or (getenv "EDITOR_TIMEOUT_S") "20")))
(defvar e2e-failures 0)
(defvar e2e-label
  (format "emacs %s + lsp-mode %s" emacs-major-version
          (let ((lib (locate-library "lsp-mode")))
            (if (and lib (string-match "lsp-mode-\\([0-9.]+\\)/" lib)) (match-string 1 lib) "?")))
  "Prefix of every result line.")

(defun e2e-report (ok name &optional detail)
  "Append the result of case NAME (OK, DETAIL) to the results file."
  (unless ok (cl-incf e2e-failures))
  (write-region (if ok
                    (format "ok - %s: %s\n" e2e-label name)
                  (format "not ok - %s: %s: %s\n" e2e-label name
                          (replace-regexp-in-string "\n" " | " (format "%s" detail))))
                nil e2e-results t 'silent))

(defmacro e2e-case (name &rest body)
  "Run BODY as case NAME; an error fails the case and the next one still runs."
  (declare (indent 1))
  `(condition-case-unless-debug err
       (progn ,@body (e2e-report t ,name) t)
     (error (e2e-report nil ,name (error-message-string err)) nil)))

(defun e2e-wait (what pred &optional seconds)
  "Process server output until PRED holds, or fail naming WHAT."
  (let ((deadline (+ (float-time) (or seconds e2e-timeout))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall pred)
      (error "Timed out waiting for %s" what))))

(defun e2e-rate001 ()
  "The RATE001 diagnostic lsp-mode holds for the current buffer, if any."
  (cl-find-if (lambda (d) (equal (lsp:diagnostic-code? d) "RATE001"))
              (lsp--get-buffer-diagnostics)))

(defun e2e-open (file)
  "Visit FILE and start lsp-mode in it."
  (find-file (expand-file-name file e2e-workspace))
  (lsp)
  (e2e-wait (format "the StableStack workspace for %s" file)
            (lambda () (cl-some (lambda (ws) (and (eq (lsp--workspace-status ws) 'initialized)
                                                  (eq (lsp--client-server-id (lsp--workspace-client ws))
                                                      'stablestack)))
                                (lsp-workspaces)))))

(defun e2e-fix (expect)
  "Apply the \"Add rate limit\" action on the RATE001 line, save, expect EXPECT on disk."
  (let* ((d (e2e-rate001))
         (start (lsp:range-start (lsp:diagnostic-range d))))
    ;; Point on the flagged code, as a user would put it: lsp-mode sends the cursor
    ;; position as the range (and the whole line's diagnostics as context).
    (goto-char (lsp--position-to-point start))
    (let* ((actions (append (lsp-code-actions-at-point) nil))
           (fix (cl-find-if (lambda (a) (string-prefix-p "Add rate limit" (lsp:code-action-title a)))
                            actions)))
      (unless fix
        (error "No \"Add rate limit\" action; offered: %S"
               (mapcar #'lsp:code-action-title actions)))
      (cl-letf (((symbol-function 'y-or-n-p) (lambda (&rest _) t)))
        (lsp-execute-code-action fix)))
    (e2e-wait (format "the buffer to contain %s" expect)
              (lambda () (save-excursion (goto-char (point-min)) (search-forward expect nil t))))
    (save-buffer)
    (let ((file buffer-file-name))
      (unless (string-search expect (with-temp-buffer (insert-file-contents file) (buffer-string)))
        (error "Saved file lacks %s" expect)))
    (e2e-wait "RATE001 to clear" (lambda () (not (e2e-rate001))))))

(defun e2e-main ()
  "Run every case."
  (let ((scratch (make-temp-file "lsp-session" t)))
    (setq stablestack-executable (getenv "STABLESTACK_BIN")
          lsp-session-file (expand-file-name "session" scratch)
          lsp-server-install-dir (expand-file-name "servers" scratch)
          lsp-enabled-clients '(stablestack)
          lsp-enable-file-watchers nil
          lsp-keep-workspace-alive nil
          lsp-restart 'ignore
          lsp-diagnostics-provider :none
          lsp-modeline-code-actions-enable nil
          lsp-modeline-diagnostics-enable nil
          lsp-modeline-workspace-status-enable nil
          lsp-headerline-breadcrumb-enable nil
          lsp-lens-enable nil
          lsp-enable-snippet nil))
  (lsp-workspace-folders-add (directory-file-name e2e-workspace))

  (e2e-case "stablestack is registered as an add-on client"
    (let ((client (gethash 'stablestack lsp-clients)))
      (unless client (error "No client registered"))
      (unless (lsp--client-add-on? client) (error "Not an add-on"))))

  (e2e-case "Python diagnostics and quick fix"
    (e2e-open "app.py")
    (e2e-wait "RATE001" #'e2e-rate001)
    (let ((d (e2e-rate001)))
      (unless (string-match-p "POST /login has no rate limiting" (lsp:diagnostic-message d))
        (error "Message: %s" (lsp:diagnostic-message d))))
    (e2e-fix "@rate_limit(requests=100, window=60)"))

  (e2e-case "JS diagnostics and quick fix"
    (e2e-open "server.js")
    (e2e-wait "RATE001" #'e2e-rate001)
    (e2e-fix "rateLimit({ requests: 100, window: 60 })"))

  (e2e-case "workspace shuts down"
    (dolist (ws (lsp-workspaces))
      (let ((proc (lsp--workspace-proc ws)))
        (lsp-workspace-shutdown ws)
        (e2e-wait "the server to end" (lambda () (not (process-live-p proc))) 10)))))

(when (getenv "E2E_DEBUG") (setq debug-on-error t))
(condition-case err
    (e2e-main)
  (error (e2e-report nil "harness" (error-message-string err))))
(kill-emacs (if (> e2e-failures 0) 1 0))

;;; e2e-lsp-mode.el ends here
