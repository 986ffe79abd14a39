;;; e2e.el --- End-to-end test of stablestack.el with Eglot  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by editors/emacs/test/run.sh in `emacs --batch' against the real `stablestack lsp'.
;; Each case appends "ok - emacs: ..." or "not ok - emacs: ...: reason" to
;; $EDITORS_RESULTS; Emacs exits 1 if any case failed.  Diagnostics are read back from
;; Flymake, the quick fix is picked from `eglot-code-actions' the way a user would, and
;; the file is checked on disk after `save-buffer'.
;;
;; Env: STABLESTACK_BIN, EDITORS_RESULTS, WORKSPACE (scratch copy of the fixtures),
;;      STABLESTACK_EL_DIR (editors/emacs).

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)
(add-to-list 'load-path (getenv "STABLESTACK_EL_DIR"))
(require 'stablestack)

(defvar e2e-results (getenv "EDITORS_RESULTS"))
(defvar e2e-workspace (file-name-as-directory (getenv "WORKSPACE")))
(defvar e2e-timeout (string-to-number (or (getenv "EDITOR_TIMEOUT_S") "20")))
(defvar e2e-failures 0)
(defvar e2e-label
  (format "emacs %s + eglot %s" emacs-major-version
          (let ((lib (locate-library "eglot")))
            (if (and lib (string-match "eglot-\\([0-9.]+\\)/" lib))
                (match-string 1 lib)
              "built-in")))
  "Prefix of every result line: which Emacs and Eglot ran the case.")

(defun e2e-report (ok name &optional detail)
  "Append the result of case NAME (OK, DETAIL) to the results file."
  (unless ok (cl-incf e2e-failures))
  (let ((line (if ok
                  (format "ok - %s: %s\n" e2e-label name)
                (format "not ok - %s: %s: %s\n" e2e-label name
                        (replace-regexp-in-string "\n" " | " (format "%s" detail))))))
    (write-region line nil e2e-results t 'silent)))

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
      (accept-process-output nil 0.05)
      ;; Batch Emacs runs no idle timers: start Flymake and flush changes ourselves.
      (when (and (bound-and-true-p eglot--managed-mode) flymake-mode)
        (eglot--signal-textDocument/didChange)
        (flymake-start)))
    (unless (funcall pred)
      (error "Timed out waiting for %s" what))))

(defun e2e-rate001 ()
  "The Flymake diagnostic for RATE001 in the current buffer, if any."
  (cl-find-if (lambda (d)
                (let ((lsp (cdr (assq 'eglot-lsp-diag (flymake-diagnostic-data d)))))
                  (equal (plist-get lsp :code) "RATE001")))
              (flymake-diagnostics)))

(defun e2e-open (file)
  "Visit FILE from the workspace and connect Eglot through `eglot-server-programs'."
  (find-file (expand-file-name file e2e-workspace))
  (unless (eglot-current-server)
    (apply #'eglot (eglot--guess-contact)))
  (e2e-wait (format "Eglot to manage %s" file) (lambda () eglot--managed-mode))
  (unless (cl-typep (eglot-current-server) 'stablestack-eglot-server)
    (error "Server class is %s" (eieio-object-class-name (eglot-current-server))))
  (current-buffer))

(defun e2e-check-diagnostic (line prefixes)
  "Wait for RATE001 on LINE (1-based) covering text starting with one of PREFIXES."
  (e2e-wait "RATE001 in Flymake" #'e2e-rate001)
  (let* ((d (e2e-rate001))
         (text (flymake-diagnostic-text d))
         (beg (flymake-diagnostic-beg d))
         (covered (buffer-substring-no-properties beg (flymake-diagnostic-end d))))
    (unless (string-match-p "POST /login has no rate limiting" text)
      (error "Message: %s" text))
    (unless (string-match-p "stablestack" text)
      (error "Source missing from %s" text))
    (unless (= (line-number-at-pos beg) line)
      (error "Diagnostic on line %d, want %d" (line-number-at-pos beg) line))
    (unless (cl-some (lambda (p) (string-prefix-p p covered)) prefixes)
      (error "Range covers %S: not the route" covered))
    d))

(defun e2e-apply-quick-fix (d expect)
  "Apply the \"Add rate limit\" action at diagnostic D, save, expect EXPECT on disk."
  (let ((offered nil)
        (beg (flymake-diagnostic-beg d))
        (end (flymake-diagnostic-end d)))
    (goto-char beg)
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &rest _)
                 (setq offered (mapcar #'car collection))
                 (or (cl-find-if (lambda (title) (string-prefix-p "Add rate limit" title))
                                 offered)
                     (error "No \"Add rate limit\" action; offered: %S" offered))))
              ;; The fix may also touch a file that is not open (the limiter module).
              ((symbol-function 'y-or-n-p) (lambda (&rest _) t)))
      ;; A non-list event keeps Eglot 1.9 off `x-popup-menu', which batch Emacs lacks.
      (let ((last-nonmenu-event ?\r))
        (eglot-code-actions beg end nil t)))
    (e2e-wait (format "the buffer to contain %s" expect)
              (lambda () (save-excursion
                           (goto-char (point-min))
                           (search-forward expect nil t))))
    (save-buffer)
    (let* ((file buffer-file-name)
           (disk (with-temp-buffer
                   (insert-file-contents file)
                   (buffer-string))))
      (unless (string-search expect disk)
        (error "Saved file lacks %s:\n%s" expect disk)))
    (e2e-wait "RATE001 to clear after the fix" (lambda () (not (e2e-rate001))))))

(defun e2e-main ()
  "Run every case."
  (setq stablestack-executable (getenv "STABLESTACK_BIN"))
  (setq eglot-sync-connect t
        eglot-connect-timeout 30
        eglot-autoshutdown nil)
  (e2e-case "stablestack-eglot-setup registers Python and JS/TS entries"
    (stablestack-eglot-setup)
    (with-temp-buffer
      (dolist (spec '((python-mode . "python") (js-mode . "javascript")))
        (funcall (car spec))
        (let ((triplet (eglot--lookup-mode (car spec))))
          (unless (equal (cadr triplet) (cdr spec))
            (error "Language id for %s is %S" (car spec) (cadr triplet)))
          (unless (eq (caddr triplet) #'stablestack-eglot-contact)
            (error "Contact for %s is %S" (car spec) (caddr triplet)))))))

  (let (js-diag py-diag)
    (e2e-case "JS diagnostics through Flymake at UTF-16 columns after é and 😀"
      (e2e-open "server.js")
      (setq js-diag (e2e-check-diagnostic 4 '("app.post" "post" "\"/login\"")))
      (unless (string-search "😀" (buffer-substring (line-beginning-position)
                                                   (flymake-diagnostic-beg js-diag)))
        (error "The flagged code must follow the emoji")))

    (e2e-case "JS quick fix applied and file saved"
      (unless js-diag (error "No diagnostic to fix"))
      (with-current-buffer (find-buffer-visiting (expand-file-name "server.js" e2e-workspace))
        (e2e-apply-quick-fix (e2e-rate001) "rateLimit({ requests: 100, window: 60 })")))

    (e2e-case "Python diagnostics through Flymake"
      (e2e-open "app.py")
      (setq py-diag (e2e-check-diagnostic 6 '("@app.post" "app.post" "post" "\"/login\""))))

    (e2e-case "settings change reaches the server without restart"
      (unless py-diag (error "No diagnostic to watch"))
      (setq stablestack-severity '(("RATE001" . "error")))
      (stablestack-update-settings)
      (e2e-wait "RATE001 to become an error"
                (lambda () (let ((d (e2e-rate001)))
                             (and d (eq (flymake-diagnostic-type d) 'eglot-error)))))
      (setq stablestack-severity '(("RATE001" . "hint")))
      (stablestack-update-settings)
      (e2e-wait "RATE001 to become a note"
                (lambda () (let ((d (e2e-rate001)))
                             (and d (eq (flymake-diagnostic-type d) 'eglot-note)))))
      (setq stablestack-severity nil)
      (stablestack-update-settings))

    (e2e-case "Python quick fix applied and file saved"
      (unless py-diag (error "No diagnostic to fix"))
      (e2e-apply-quick-fix (e2e-rate001) "@rate_limit(requests=100, window=60)"))

    (e2e-case "stablestack-add-rate-limiter writes the Python module into the project"
      (with-current-buffer (find-buffer-visiting (expand-file-name "app.py" e2e-workspace))
        (let ((module (expand-file-name "stablestack_rate_limiter.py" e2e-workspace)))
          (when (file-exists-p module) (delete-file module))
          (stablestack-add-rate-limiter)
          (e2e-wait "stablestack_rate_limiter.py on disk" (lambda () (file-exists-p module))))))

    (e2e-case "servers shut down (shutdown/exit with null params) and exit 0"
      (let ((servers (stablestack--eglot-servers)))
        (unless servers (error "No StableStack servers running"))
        (dolist (server servers)
          ;; What `eglot-shutdown' sends, but waiting for the process to leave on its
          ;; own: Emacs 28's jsonrpc-shutdown deletes (SIGKILLs) it right after `exit'.
          (let ((proc (jsonrpc--process server)))
            (setf (eglot--shutdown-requested server) t)
            (jsonrpc-request server :shutdown nil :timeout 5)
            (jsonrpc-notify server :exit nil)
            (e2e-wait "the server to exit within 10 s of shutdown + exit (params null)"
                      (lambda () (not (process-live-p proc))) 10)
            (unless (and (eq (process-status proc) 'exit) (= (process-exit-status proc) 0))
              (error "%s ended with %s %s" (jsonrpc-name server)
                     (process-status proc) (process-exit-status proc)))))))))

(when (getenv "E2E_DEBUG") (setq debug-on-error t))
(condition-case err
    (e2e-main)
  (error (e2e-report nil "harness" (error-message-string err))))
(kill-emacs (if (> e2e-failures 0) 1 0))

;;; e2e.el ends here
