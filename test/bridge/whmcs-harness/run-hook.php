<?php
// Runs a WHMCS hook of the module under php-cli, as WHMCS's cron does for AfterCronJob: the harness stubs, the
// module's hooks.php, then every callback registered for the named hook. Usage: php run-hook.php AfterCronJob

require __DIR__ . '/stubs.php';

$moduleDir = getenv('HVR_MODULE_DIR') ?: dirname(__DIR__, 3) . '/whmcs-bridge/modules/addons/hypervrestore';
require $moduleDir . '/hooks.php';

$name = $argv[1] ?? '';
$hooks = $GLOBALS['harness_hooks'][$name] ?? [];
if ($hooks === []) {
    fwrite(STDERR, "no hook registered for {$name}\n");
    exit(2);
}
foreach ($hooks as $hook) {
    $hook([]);
}
echo 'ran ' . count($hooks) . ' ' . $name . " hook(s)\n";
