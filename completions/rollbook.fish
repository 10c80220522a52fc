# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rollbook_global_optspecs
    string join \n uri= uri-file= db= state-db= runbooks= operator= output= y/yes v/verbose q/quiet no-notify context= confirm-context= log-format= h/help V/version
end

function __fish_rollbook_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rollbook_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rollbook_using_subcommand
    set -l cmd (__fish_rollbook_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rollbook -n "__fish_rollbook_needs_command" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_needs_command" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_needs_command" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_needs_command" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_needs_command" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_needs_command" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_needs_command" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_needs_command" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_needs_command" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_needs_command" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_needs_command" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_needs_command" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_needs_command" -s V -l version -d 'Print version'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "list" -d 'List runbooks, their steps, and which steps need approval'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "new" -d 'Write a commented runbook skeleton (`<runbooks>/<ID>.yaml`, database from --db) that validates as it is, to edit into the real procedure'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "show" -d 'Show a runbook or one step: prose, actions, approval, data loss, reversibility'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "validate" -d 'Check runbooks for errors (no database needed). Checks every runbook when no file is given'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "plan" -d 'Dry-run: what each action would change, with samples; writes nothing. `--out` saves the plan'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "apply" -d 'Run forward actions of the selected steps (ascending order)'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "rollback" -d 'Run rollback actions of the selected steps (descending order)'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "verify" -d 'Run verify checks only'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "approve" -d 'Approve a saved plan (someone other than the operator who will run it)'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "audit" -d 'The audit trail\'s hash chain: `audit verify` names the first entry that breaks it'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "approvals" -d 'Approvals recorded in the state database: list them, or revoke a plan\'s'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "unlock" -d 'Release the lock of a runbook\'s database by hand (asks; audited). A lease still being renewed is refused unless --force'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "abandon" -d 'Record that a stopped (interrupted or failed) run will not be finished: no rerun resumes it; its snapshots are kept. Asks; audited'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "resume" -d 'Resume a stopped run (interrupted, failed, or compensated only in part) by its id: its own command, steps, parameters and saved plan; finished actions are not done again'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "runs" -d 'Runs recorded in the state database, newest first, with their status'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "report" -d 'An incident-style Markdown report of a run'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "status" -d 'Per step: last direction applied, when, by whom, last verification; interrupted runs. Without a runbook: every runbook of the runbooks directory, one line each'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "history" -d 'The audit trail, newest first'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "dump" -d 'Back up databases or collections in mongodump\'s directory format (`DIR/DB/COLL.bson` and `.metadata.json`); `--db` names the databases (a comma list or a glob)'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "restore" -d 'Restore a mongodump-format backup, checked completely first; each collection is swapped in only once fully restored. `--db` selects the backup\'s databases (all when omitted)'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "snapshots" -d 'The snapshots in the state database: list them, or prune old ones'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "sandbox" -d 'A local throwaway MongoDB replica set with demo data'
complete -c rollbook -n "__fish_rollbook_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l direction -d 'Which direction to plan' -r -f -a "forward\t'Forward'
rollback\t'Rollback'"
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l steps -d 'Steps: all, 23, 20-23 or 19,21,23 [default: all; with --plan: the plan\'s]' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l param -d 'A parameter value (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l transaction-limit -d 'Largest number of documents a step may write and still run in one transaction' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l with -d 'Include opt-in shell actions with this name (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l ack -d 'Acknowledge the checklists and manual actions of this step without a prompt (scripts; recorded in the journal). Repeatable' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l on-conflict -d 'What `restore_snapshot` does with documents changed or deleted since the rollback: `fail` (refuse before writing anything), `skip` them, or `overwrite` them' -r -f -a "fail\t'Refuse before writing anything (exit 11), naming how many and where'
skip\t'Restore the others; leave changed documents as they are now'
overwrite\t'Restore every snapshotted value, over changes made since'"
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l out -d 'Save the plan (with its digest and id) to this file' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l continue-on-error -d 'Go on with the next step after a step fails (failures are still reported)'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l fail-on-unsupported -d 'Refuse the run when a selected step\'s rollback is unsupported, instead of skipping it'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l no-samples -d 'Show no sample documents in the plan (nor in its JSON or saved plan file); the runbook\'s `redact` fields are masked in samples anyway'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l emergency -d 'Plan the runbook\'s emergency procedure'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l wide -d 'Show the plan as one grid, however narrow the terminal (else a narrow terminal gets one block per step)'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l steps -d 'Steps: all, 23, 20-23 or 19,21,23 [default: all; with --plan: the plan\'s]' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l param -d 'A parameter value (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l transaction-limit -d 'Largest number of documents a step may write and still run in one transaction' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l with -d 'Include opt-in shell actions with this name (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l ack -d 'Acknowledge the checklists and manual actions of this step without a prompt (scripts; recorded in the journal). Repeatable' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l on-conflict -d 'What `restore_snapshot` does with documents changed or deleted since the rollback: `fail` (refuse before writing anything), `skip` them, or `overwrite` them' -r -f -a "fail\t'Refuse before writing anything (exit 11), naming how many and where'
skip\t'Restore the others; leave changed documents as they are now'
overwrite\t'Restore every snapshotted value, over changes made since'"
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l plan -d 'Execute exactly this saved plan (approved, if it has sensitive steps)' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l max-drift -d 'How far (in percent) the data may have drifted from the plan\'s predicted counts' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l continue-on-error -d 'Go on with the next step after a step fails (failures are still reported)'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l fail-on-unsupported -d 'Refuse the run when a selected step\'s rollback is unsupported, instead of skipping it'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l no-samples -d 'Show no sample documents in the plan (nor in its JSON or saved plan file); the runbook\'s `redact` fields are masked in samples anyway'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l steps -d 'Steps: all, 23, 20-23 or 19,21,23 [default: all; with --plan: the plan\'s]' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l param -d 'A parameter value (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l transaction-limit -d 'Largest number of documents a step may write and still run in one transaction' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l with -d 'Include opt-in shell actions with this name (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l ack -d 'Acknowledge the checklists and manual actions of this step without a prompt (scripts; recorded in the journal). Repeatable' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l on-conflict -d 'What `restore_snapshot` does with documents changed or deleted since the rollback: `fail` (refuse before writing anything), `skip` them, or `overwrite` them' -r -f -a "fail\t'Refuse before writing anything (exit 11), naming how many and where'
skip\t'Restore the others; leave changed documents as they are now'
overwrite\t'Restore every snapshotted value, over changes made since'"
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l plan -d 'Execute exactly this saved plan (approved, if it has sensitive steps)' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l max-drift -d 'How far (in percent) the data may have drifted from the plan\'s predicted counts' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l continue-on-error -d 'Go on with the next step after a step fails (failures are still reported)'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l fail-on-unsupported -d 'Refuse the run when a selected step\'s rollback is unsupported, instead of skipping it'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l no-samples -d 'Show no sample documents in the plan (nor in its JSON or saved plan file); the runbook\'s `redact` fields are masked in samples anyway'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l emergency -d 'Run the runbook\'s emergency procedure: its declared steps, going on past failures'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l steps -d 'Steps: all, 23, 20-23 or 19,21,23 [default: all; with --plan: the plan\'s]' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l param -d 'A parameter value (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l transaction-limit -d 'Largest number of documents a step may write and still run in one transaction' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l with -d 'Include opt-in shell actions with this name (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l ack -d 'Acknowledge the checklists and manual actions of this step without a prompt (scripts; recorded in the journal). Repeatable' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l on-conflict -d 'What `restore_snapshot` does with documents changed or deleted since the rollback: `fail` (refuse before writing anything), `skip` them, or `overwrite` them' -r -f -a "fail\t'Refuse before writing anything (exit 11), naming how many and where'
skip\t'Restore the others; leave changed documents as they are now'
overwrite\t'Restore every snapshotted value, over changes made since'"
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l direction -d 'Which direction\'s checks (when omitted: the direction last applied to the steps, forward for steps never run)' -r -f -a "forward\t'Forward'
rollback\t'Rollback'"
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l continue-on-error -d 'Go on with the next step after a step fails (failures are still reported)'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l fail-on-unsupported -d 'Refuse the run when a selected step\'s rollback is unsupported, instead of skipping it'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l no-samples -d 'Show no sample documents in the plan (nor in its JSON or saved plan file); the runbook\'s `redact` fields are masked in samples anyway'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l plan -d 'The plan file to approve' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l reason -d 'Why it is approved' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l ticket -d 'Ticket or incident reference' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l expires-in -d 'Minutes the approval stays valid' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the hash chain of the audit trail: exit 3, naming the first entry that breaks it, when an entry was edited, deleted or inserted'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the hash chain of the audit trail: exit 3, naming the first entry that breaks it, when an entry was edited, deleted or inserted'
complete -c rollbook -n "__fish_rollbook_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -f -a "list" -d 'Approvals, newest first: plan, runbook, database, approver, until when, and whether revoked'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -f -a "revoke" -d 'Revoke every approval of a plan: it can no longer run (asks; audited; notified)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and not __fish_seen_subcommand_from list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l runbook -d 'Only approvals of this runbook id' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l limit -d 'At most this many' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l reason -d 'Why' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "list" -d 'Approvals, newest first: plan, runbook, database, approver, until when, and whether revoked'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke every approval of a plan: it can no longer run (asks; audited; notified)'
complete -c rollbook -n "__fish_rollbook_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l force -d 'Release even a live lease: its holder is fenced and stops before its next write'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l accept-state -d 'Let runs go on although the state database does not know the run that last held the lock (the state was dropped, replaced, or is another --state-db); check the data by hand first'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand unlock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand abandon" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l plan -d 'The plan file the run executed, when it is not recorded in the state database (a plan is recorded when it is approved)' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l transaction-limit -d 'Largest number of documents a step may write and still run in one transaction' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l with -d 'Include opt-in shell actions with this name (repeatable)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l ack -d 'Acknowledge the checklists and manual actions of this step without a prompt. Repeatable' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l on-conflict -d 'What `restore_snapshot` does with documents changed or deleted since the rollback' -r -f -a "fail\t'Refuse before writing anything (exit 11), naming how many and where'
skip\t'Restore the others; leave changed documents as they are now'
overwrite\t'Restore every snapshotted value, over changes made since'"
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l runbook -d 'Only runs of this runbook id' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l status -d 'Only runs with this status' -r -f -a "running\t'In progress (or its process died unnoticed)'
ok\t'Finished, every step done and verified'
failed\t'An action failed'
verify_failed\t'Verification did not hold'
manual_pending\t'Manual actions left unconfirmed'
interrupted\t'Stopped by a signal, or its process died'
compensated\t'Failed, and every completed action was undone'
compensation_incomplete\t'Failed, and some completed actions could not be undone'
abandoned\t'Recorded as never to be finished'"
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l limit -d 'At most this many runs' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand runs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l runbook -d 'With `--last`: only runs of this runbook id' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l last -d 'The newest run that changed something (apply or rollback), of `--runbook` when given'
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l check -d 'Also run the verify checks of each step\'s last applied direction against the data now (reads only; nothing is recorded): exit 3 where state and data disagree'
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l runbook -d 'Only this runbook' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l run -d 'Only this run' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l limit -d 'At most this many events' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l collection -d 'Only this collection (repeatable; every collection when omitted)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l out -d 'Output directory; `DIR/DB/…` is written and must not hold files yet' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l parallel -d 'How many collections are dumped at once' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l gzip -d 'Gzip every file, as `mongodump --gzip` does'
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l from -d 'The backup directory (holding one directory per database)' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l to-db -d 'Restore into this database (only with exactly one source database)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l parallel -d 'How many collections are restored at once' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l batch-size -d 'Documents per insert command' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l drop -d 'Replace collections that already hold documents (asks first; --yes skips that)'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l into-server-databases -d 'Allow restoring into the server\'s own databases (admin, local, config)'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -f -a "list" -d 'Every snapshot, newest first: what it holds, when it was taken, whether it was put back; then storage that no snapshot names (left by an attempt killed before registering it)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -f -a "prune" -d 'Remove snapshots older than AGE that were put back (one not put back only with --force: it is the only way back), and unregistered storage of runs that ended. Asks; audited'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and not __fish_seen_subcommand_from list prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l runbook -d 'Only snapshots of this runbook id' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l older-than -d 'How old: `30d`, `12h` or `90m`' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l runbook -d 'Only snapshots of this runbook id' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l force -d 'Remove snapshots not put back too: what they saved cannot be restored afterwards'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every snapshot, newest first: what it holds, when it was taken, whether it was put back; then storage that no snapshot names (left by an attempt killed before registering it)'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove snapshots older than AGE that were put back (one not put back only with --force: it is the only way back), and unregistered storage of runs that ended. Asks; audited'
complete -c rollbook -n "__fish_rollbook_using_subcommand snapshots; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l dir -d 'Directory holding the sandbox\'s data, log and state file' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -f -a "up" -d 'Start a single-node replica set on 127.0.0.1 and print its URI'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -f -a "seed" -d '(Re)create demo data for all three runbooks'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -f -a "status" -d 'Say whether the sandbox runs and where'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -f -a "down" -d 'Stop the sandbox and delete its data'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and not __fish_seen_subcommand_from up seed status down help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l port -d 'Port (a free one when omitted)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l dir -d 'Directory holding the sandbox\'s data, log and state file' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l scale -d 'Number of earlybird orders; other collections are sized in proportion' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l dir -d 'Directory holding the sandbox\'s data, log and state file' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from seed" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l dir -d 'Directory holding the sandbox\'s data, log and state file' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l dir -d 'Directory holding the sandbox\'s data, log and state file' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l uri -d 'MongoDB connection string. Other users can read it with `ps`: prefer the environment variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l uri-file -d 'Read the connection string from this file (its first line, trimmed), for scripts; it takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l db -d 'Target database, overriding the runbook\'s' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l state-db -d 'Database holding rollbook\'s own state (runs, locks, approvals, snapshots, audit)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l runbooks -d 'Directory where runbooks are looked up by id' -r -F
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l operator -d 'Who is running this (defaults to the login name)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l output -d 'Output format on stdout' -r -f -a "human\t'Tables for people'
json\t'Exactly one JSON document per command'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l context -d 'The named context to work in (from `rollbook.toml`, else the user\'s `~/.config/rollbook/config.toml`): its server, state database and runbooks' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l confirm-context -d 'In a protected context, its name: confirms a changing command without a terminal (`--yes` is not enough there)' -r
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l log-format -d 'Log line format on stderr' -r -f -a "text\t'Plain text'
json\t'One JSON object per line'"
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -s y -l yes -d 'Answer yes to confirmation prompts (never bypasses approvals)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -s v -l verbose -d 'More log output on stderr (repeat for more)'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -s q -l quiet -d 'Only errors on stderr'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l no-notify -d 'Send no notification (the runbook\'s `notifications` and `notify` actions); a run records in the audit that it was silenced'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start a single-node replica set on 127.0.0.1 and print its URI'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "seed" -d '(Re)create demo data for all three runbooks'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "status" -d 'Say whether the sandbox runs and where'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop the sandbox and delete its data'
complete -c rollbook -n "__fish_rollbook_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "list" -d 'List runbooks, their steps, and which steps need approval'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "new" -d 'Write a commented runbook skeleton (`<runbooks>/<ID>.yaml`, database from --db) that validates as it is, to edit into the real procedure'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "show" -d 'Show a runbook or one step: prose, actions, approval, data loss, reversibility'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "validate" -d 'Check runbooks for errors (no database needed). Checks every runbook when no file is given'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "plan" -d 'Dry-run: what each action would change, with samples; writes nothing. `--out` saves the plan'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "apply" -d 'Run forward actions of the selected steps (ascending order)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "rollback" -d 'Run rollback actions of the selected steps (descending order)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "verify" -d 'Run verify checks only'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "approve" -d 'Approve a saved plan (someone other than the operator who will run it)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "audit" -d 'The audit trail\'s hash chain: `audit verify` names the first entry that breaks it'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "approvals" -d 'Approvals recorded in the state database: list them, or revoke a plan\'s'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "unlock" -d 'Release the lock of a runbook\'s database by hand (asks; audited). A lease still being renewed is refused unless --force'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "abandon" -d 'Record that a stopped (interrupted or failed) run will not be finished: no rerun resumes it; its snapshots are kept. Asks; audited'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "resume" -d 'Resume a stopped run (interrupted, failed, or compensated only in part) by its id: its own command, steps, parameters and saved plan; finished actions are not done again'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "runs" -d 'Runs recorded in the state database, newest first, with their status'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "report" -d 'An incident-style Markdown report of a run'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "status" -d 'Per step: last direction applied, when, by whom, last verification; interrupted runs. Without a runbook: every runbook of the runbooks directory, one line each'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "history" -d 'The audit trail, newest first'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "dump" -d 'Back up databases or collections in mongodump\'s directory format (`DIR/DB/COLL.bson` and `.metadata.json`); `--db` names the databases (a comma list or a glob)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "restore" -d 'Restore a mongodump-format backup, checked completely first; each collection is swapped in only once fully restored. `--db` selects the backup\'s databases (all when omitted)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "completions" -d 'Print a shell completion script'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "snapshots" -d 'The snapshots in the state database: list them, or prune old ones'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "sandbox" -d 'A local throwaway MongoDB replica set with demo data'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and not __fish_seen_subcommand_from list new show validate plan apply rollback verify approve audit approvals unlock abandon resume runs report status history dump restore completions snapshots sandbox help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the hash chain of the audit trail: exit 3, naming the first entry that breaks it, when an entry was edited, deleted or inserted'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "list" -d 'Approvals, newest first: plan, runbook, database, approver, until when, and whether revoked'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "revoke" -d 'Revoke every approval of a plan: it can no longer run (asks; audited; notified)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from snapshots" -f -a "list" -d 'Every snapshot, newest first: what it holds, when it was taken, whether it was put back; then storage that no snapshot names (left by an attempt killed before registering it)'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from snapshots" -f -a "prune" -d 'Remove snapshots older than AGE that were put back (one not put back only with --force: it is the only way back), and unregistered storage of runs that ended. Asks; audited'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "up" -d 'Start a single-node replica set on 127.0.0.1 and print its URI'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "seed" -d '(Re)create demo data for all three runbooks'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "status" -d 'Say whether the sandbox runs and where'
complete -c rollbook -n "__fish_rollbook_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "down" -d 'Stop the sandbox and delete its data'
