<?php
// The few texts the bridge shows itself; everything else comes from the sidecar.

$_ADDONLANG['nav_label'] = 'Hyper-V Restore';
$_ADDONLANG['page_title'] = 'Hyper-V Restore';
$_ADDONLANG['unavailable_title'] = 'Restore service is temporarily unavailable';
$_ADDONLANG['unavailable_text'] = 'We could not reach the restore service just now. Your backups are safe; please try again in a few minutes. If this keeps happening, contact support.';
$_ADDONLANG['bad_request'] = 'Bad request';
$_ADDONLANG['not_found'] = 'Not found';
$_ADDONLANG['method_not_allowed'] = 'Method not allowed';
$_ADDONLANG['login_required'] = 'Please log in to use Hyper-V Restore';
$_ADDONLANG['csrf_failed'] = 'Your session token is missing or expired. Reload the page and try again.';
$_ADDONLANG['body_too_large'] = 'Request body too large';
$_ADDONLANG['admin_title'] = 'Hyper-V Restore';
$_ADDONLANG['admin_runs'] = 'Restore runs';
$_ADDONLANG['admin_agents'] = 'Agents';
$_ADDONLANG['admin_start'] = 'Start a restore';
$_ADDONLANG['admin_health_ok'] = 'Sidecar reachable';
$_ADDONLANG['admin_health_down'] = 'Sidecar unreachable';
$_ADDONLANG['admin_unavailable'] = 'The restore sidecar did not answer or refused the bridge. Check the Sidecar URL and Bridge secret under Setup > Addon Modules, and the module log.';
$_ADDONLANG['admin_cancel_requested'] = 'Cancel requested.';
