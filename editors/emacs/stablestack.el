;;; stablestack.el --- StableStack rate-limit checks through Eglot or lsp-mode  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages, tools
;; URL: https://github.com/stablestack/stablestack

;;; Commentary:

;; StableStack flags API routes without rate limiting (RATE001) and in-memory rate limiters
;; (RATE002) in Python and JavaScript/TypeScript, with quick fixes that insert a
;; Redis-backed limiter.  This file connects the `stablestack lsp' server to Emacs:
;;
;; Eglot (Emacs 29+ built in, or the eglot package):
;;
;;   (require 'stablestack)
;;   (stablestack-eglot-setup)          ; adds the `eglot-server-programs' entries
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;
;; Eglot runs one server per buffer, so for Python files this entry takes the place of
;; pylsp/pyright.  With lsp-mode StableStack runs as an add-on next to them instead:
;;
;;   (require 'stablestack)             ; registers the client when lsp-mode loads
;;   (add-hook 'python-mode-hook #'lsp-deferred)
;;
;; Settings are the `stablestack-requests', `stablestack-window', `stablestack-severity' and
;; `stablestack-rules' options.  They reach the server as initializationOptions and, after a
;; change, through M-x stablestack-update-settings (workspace/didChangeConfiguration); the
;; customize interface calls it for you.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defgroup stablestack nil
  "StableStack language server: rate limiting checks for API routes."
  :group 'tools
  :prefix "stablestack-")

(defcustom stablestack-executable "stablestack"
  "The stablestack program: a name on `exec-path' or an absolute file name."
  :type 'string)

(defcustom stablestack-args '("lsp")
  "Arguments that start the language server."
  :type '(repeat string))

(defun stablestack--set-and-push (symbol value)
  "Set SYMBOL to VALUE and send the new settings to running servers."
  (set-default symbol value)
  (when (fboundp 'stablestack-update-settings)
    (stablestack-update-settings)))

(defcustom stablestack-requests nil
  "Requests per window in limiters that quick fixes insert.
nil keeps the server's default (100)."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'stablestack--set-and-push)

(defcustom stablestack-window nil
  "Window in seconds in limiters that quick fixes insert.
nil keeps the server's default (60)."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'stablestack--set-and-push)

(defcustom stablestack-severity nil
  "Severity per rule, e.g. ((\"RATE001\" . \"error\")).
Levels: \"error\", \"warning\", \"information\", \"hint\"."
  :type '(alist :key-type string
                :value-type (choice (const "error") (const "warning")
                                    (const "information") (const "hint")))
  :set #'stablestack--set-and-push)

(defcustom stablestack-rules nil
  "Rules turned on or off, e.g. ((\"RATE002\" . nil)).  Unlisted rules are on."
  :type '(alist :key-type string :value-type boolean)
  :set #'stablestack--set-and-push)

(defconst stablestack-languages
  '(("python" python-mode python-ts-mode)
    ("javascript" js-mode js-ts-mode js2-mode js-jsx-mode rjsx-mode)
    ("typescript" typescript-mode typescript-ts-mode)
    ("typescriptreact" tsx-ts-mode))
  "LSP language ids and the major modes that hold them.")

(defun stablestack--command ()
  "The server command line."
  (cons stablestack-executable stablestack-args))

(defun stablestack-settings ()
  "The server settings as a hash table, ready for JSON (an empty one is {})."
  (let ((settings (make-hash-table :test #'equal)))
    (when stablestack-requests (puthash "requests" stablestack-requests settings))
    (when stablestack-window (puthash "window" stablestack-window settings))
    (when stablestack-severity
      (let ((h (make-hash-table :test #'equal)))
        (pcase-dolist (`(,rule . ,level) stablestack-severity) (puthash rule level h))
        (puthash "severity" h settings)))
    (when stablestack-rules
      (let ((h (make-hash-table :test #'equal)))
        (pcase-dolist (`(,rule . ,on) stablestack-rules) (puthash rule (if on t :json-false) h))
        (puthash "rules" h settings)))
    settings))

(defun stablestack--settings-payload ()
  "The settings under the `stablestack' key, as the server reads them."
  (let ((h (make-hash-table :test #'equal)))
    (puthash "stablestack" (stablestack-settings) h)
    h))

;;;; Eglot

(defvar eglot-server-programs)
(declare-function eglot--current-server-or-lose "eglot")
(declare-function jsonrpc-notify "jsonrpc")
(declare-function eglot-execute-command "eglot")
(declare-function project-root "project")
(declare-function eieio-object-p "eieio-core")
(declare-function object-of-class-p "eieio")

(defun stablestack-eglot-contact (&optional _interactive)
  "Contact for `eglot-server-programs': the server class and command line."
  (cons 'stablestack-eglot-server (stablestack--command)))

(defconst stablestack--eglot-definitions
  '(progn
     (defclass stablestack-eglot-server (eglot-lsp-server) ()
       :documentation "Eglot connection to `stablestack lsp'.")

     (cl-defmethod eglot-initialization-options ((_server stablestack-eglot-server))
       (stablestack--settings-payload))

     ;; Answer workspace/configuration pulls from the stablestack options rather than
     ;; `eglot-workspace-configuration', which other servers share.
     (cl-defmethod eglot-handle-request
       ((_server stablestack-eglot-server) (_method (eql workspace/configuration))
        &key items)
       (apply #'vector
              (mapcar (lambda (item)
                        (let ((section (plist-get item :section)))
                          (cond ((equal section "stablestack") (stablestack-settings))
                                ((member section '(nil "")) (stablestack--settings-payload))
                                (t nil))))
                      items))))
  "The Eglot server class and its methods.
They are evaluated when Eglot loads rather than compiled with this file,
because their specializers name classes that exist only after Eglot loads
and the byte compiler rejects them otherwise.")

(with-eval-after-load 'eglot
  (eval stablestack--eglot-definitions t))

(defun stablestack--eglot-server-p (object)
  "Whether OBJECT is a StableStack Eglot server."
  (and (featurep 'eglot)
       (eieio-object-p object)
       (object-of-class-p object 'stablestack-eglot-server)))

(defun stablestack--eglot-push-settings (server)
  "Send the stablestack options to SERVER if it is a StableStack server.
Runs from `eglot-connect-hook' after Eglot's own didChangeConfiguration,
which carries `eglot-workspace-configuration' and not these options."
  (when (stablestack--eglot-server-p server)
    (jsonrpc-notify server :workspace/didChangeConfiguration
                    (list :settings (stablestack--settings-payload)))))

;;;###autoload
(defun stablestack-eglot-setup ()
  "Add StableStack to `eglot-server-programs', one entry per language.
Eglot 1.9 gives a server one languageId for all its buffers, so each
language gets its own entry (and its own server process)."
  (interactive)
  (require 'eglot)
  (dolist (language (reverse stablestack-languages))
    (let ((modes (mapcar (lambda (mode) (list mode :language-id (car language)))
                         (cdr language))))
      (add-to-list 'eglot-server-programs (cons modes #'stablestack-eglot-contact))))
  (add-hook 'eglot-connect-hook #'stablestack--eglot-push-settings t))

(defun stablestack--eglot-servers ()
  "Running StableStack Eglot servers."
  (when (boundp 'eglot--servers-by-project)
    (cl-loop for servers being the hash-values of eglot--servers-by-project
             append (cl-remove-if-not #'stablestack--eglot-server-p servers))))

;;;; lsp-mode

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")
(declare-function lsp-notify "lsp-mode")
(declare-function lsp-workspaces "lsp-mode")
(declare-function lsp--workspace-client "lsp-mode")
(declare-function lsp--client-server-id "lsp-mode")
(declare-function lsp-send-execute-command "lsp-mode")
(declare-function lsp-session "lsp-mode")
(declare-function lsp--session-workspaces "lsp-mode")
(defvar lsp-language-id-configuration)
(defvar lsp--cur-workspace)

(defun stablestack--lsp-register ()
  "Register `stablestack lsp' with lsp-mode as an add-on server."
  (dolist (language stablestack-languages)
    (dolist (mode (cdr language))
      (unless (assq mode lsp-language-id-configuration)
        (add-to-list 'lsp-language-id-configuration (cons mode (car language))))))
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection #'stablestack--command)
    :activation-fn (apply #'lsp-activate-on (mapcar #'car stablestack-languages))
    :server-id 'stablestack
    :add-on? t
    :priority -2
    :initialization-options #'stablestack--settings-payload
    :initialized-fn (lambda (workspace)
                      (let ((lsp--cur-workspace workspace))
                        (lsp-notify "workspace/didChangeConfiguration"
                                    (list :settings (stablestack--settings-payload)))))
    :request-handlers (let ((handlers (make-hash-table :test #'equal)))
                        (puthash "workspace/configuration"
                                 (lambda (_workspace params)
                                   (apply #'vector
                                          (mapcar (lambda (_item) (stablestack-settings))
                                                  (gethash "items" params))))
                                 handlers)
                        handlers))))

(with-eval-after-load 'lsp-mode
  (stablestack--lsp-register))

(defun stablestack--lsp-workspaces ()
  "Running StableStack lsp-mode workspaces."
  (when (fboundp 'lsp--session-workspaces)
    (cl-remove-if-not
     (lambda (ws) (eq (lsp--client-server-id (lsp--workspace-client ws)) 'stablestack))
     (lsp--session-workspaces (lsp-session)))))

;;;; Commands

;;;###autoload
(defun stablestack-update-settings ()
  "Send the current stablestack options to every running StableStack server."
  (interactive)
  (let ((payload (list :settings (stablestack--settings-payload))))
    (dolist (server (stablestack--eglot-servers))
      (jsonrpc-notify server :workspace/didChangeConfiguration payload))
    (dolist (ws (stablestack--lsp-workspaces))
      ;; What `with-lsp-workspace' expands to; the macro is unknown until lsp-mode loads.
      (let ((lsp--cur-workspace ws))
        (lsp-notify "workspace/didChangeConfiguration" payload)))))

(defun stablestack--execute (command arguments)
  "Run server COMMAND with ARGUMENTS through the current buffer's client."
  (cond ((and (bound-and-true-p eglot--managed-mode) (fboundp 'eglot-execute-command))
         (eglot-execute-command (eglot--current-server-or-lose) command arguments))
        ((bound-and-true-p lsp-mode)
         (lsp-send-execute-command (symbol-name command) arguments))
        (t (user-error "No StableStack server manages this buffer"))))

(defun stablestack--module-arguments ()
  "Argument of stablestack.addRateLimiter: the module's language and directory."
  (let ((lang (if (derived-mode-p 'python-mode 'python-ts-mode) "python" "node"))
        (dir (or (and (fboundp 'project-current) (project-current)
                      (expand-file-name (project-root (project-current))))
                 default-directory)))
    (vector (list :lang lang :dir (directory-file-name (expand-file-name dir))))))

;;;###autoload
(defun stablestack-add-rate-limiter ()
  "Write the rate limiter module (Python or Node) into this project."
  (interactive)
  (stablestack--execute 'stablestack.addRateLimiter (stablestack--module-arguments)))

;;;###autoload
(defun stablestack-instrument-workspace ()
  "Add rate limiters to every unprotected route in the project."
  (interactive)
  (stablestack--execute 'stablestack.instrumentWorkspace []))

(provide 'stablestack)
;;; stablestack.el ends here
