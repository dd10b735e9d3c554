<?php
// The client e-mail template "Hyper-V Restore Finished" (Setup > Email Templates, type General), created on
// activation when no template of that name exists. An existing one is never touched: the admin may have edited or
// translated it. The words inside the fields come from the sidecar; docs/install-whmcs.md lists every merge field.

namespace WHMCS\Module\Addon\HypervRestore;

final class NoticeTemplate
{
    public const NAME = 'Hyper-V Restore Finished';

    /** true: created now; false: one already exists; null: WHMCS's database could not be used (error in $problem). */
    public static function ensure(?string &$problem = null): ?bool
    {
        if (!class_exists('\WHMCS\Database\Capsule')) {
            $problem = 'WHMCS database not available';
            return null;
        }
        try {
            $table = fn () => \WHMCS\Database\Capsule::table('tblemailtemplates');
            if ($table()->where('type', 'general')->where('name', self::NAME)->exists()) {
                return false;
            }
            $now = date('Y-m-d H:i:s');
            $table()->insert([
                'type' => 'general', 'name' => self::NAME, 'subject' => self::SUBJECT, 'message' => self::MESSAGE,
                'attachments' => '', 'fromname' => '', 'fromemail' => '', 'disabled' => 0, 'custom' => 1, 'language' => '',
                'copyto' => '', 'blind_copy_to' => '', 'plaintext' => 0, 'created_at' => $now, 'updated_at' => $now,
            ]);
            return true;
        } catch (\Throwable $e) {
            $problem = $e->getMessage();
            return null;
        }
    }

    private const SUBJECT = 'Restore of {$hvr_vm_name}: {$hvr_status}';

    private const MESSAGE = <<<'HTML'
<p>Dear {$client_name},</p>
<p>The restore of your Hyper-V VM <strong>{$hvr_vm_name}</strong> has ended: <strong>{$hvr_status}</strong> ({$hvr_disks_text}).</p>
{if $hvr_reason}<p>What happened: {$hvr_reason}</p>{/if}
<p>Target folder on your Hyper-V host: {$hvr_target_path}</p>
{if $hvr_files}<p>Restored disk files:</p>
<ul>{foreach from=$hvr_files item=file}<li>{$file}</li>{/foreach}</ul>{/if}
<p>{$hvr_next_steps}</p>
<p>You can see the details of this restore at <a href="{$whmcs_url}{$hvr_live_path}">{$whmcs_url}{$hvr_live_path}</a>.</p>
<p>{$signature}</p>
HTML;
}
