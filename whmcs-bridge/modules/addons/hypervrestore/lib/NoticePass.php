<?php
// One pass of the restore-finished e-mails (WHMCS's AfterCronJob hook, and opening the module's admin page): claim
// what the sidecar says is due, send each through WHMCS's SendEmail (so WHMCS's mail settings, the client's language
// and the e-mail log apply), then tell the sidecar which went out and which failed. What is not acknowledged is
// offered again on a later pass. The sidecar decides what is due and writes every word; this only delivers.

namespace WHMCS\Module\Addon\HypervRestore;

final class NoticePass
{
    private const BATCH = 50;

    public function __construct(private readonly SidecarClient $client)
    {
    }

    /** @return array{sent: int, failed: int}|null null when the sidecar could not be asked (logged) */
    public function run(): ?array
    {
        $notify = $this->client->settings()->notifyClient ? 'on' : 'off';
        $claim = $this->post('notices:claim', '/bridge/notices/claim', ['notify' => $notify, 'limit' => self::BATCH]);
        if ($claim === null) {
            return null;
        }
        $sent = [];
        $failed = [];
        foreach (is_array($claim['notices'] ?? null) ? $claim['notices'] : [] as $notice) {
            if (!is_array($notice) || !is_int($notice['id'] ?? null) || !is_int($notice['client_id'] ?? null) || !is_array($notice['fields'] ?? null)) {
                continue;
            }
            if ($this->send($notice)) {
                $sent[] = $notice['id'];
            } else {
                $failed[] = $notice['id'];
            }
        }
        if ($sent !== [] || $failed !== []) {
            $this->post('notices:ack', '/bridge/notices/ack', ['sent' => $sent, 'failed' => $failed]);
        }
        return ['sent' => count($sent), 'failed' => count($failed)];
    }

    private function send(array $notice): bool
    {
        if (!function_exists('localAPI')) {
            return false;
        }
        $request = ['messagename' => NoticeTemplate::NAME, 'id' => $notice['client_id'], 'customvars' => base64_encode(serialize($notice['fields']))];
        try {
            $result = localAPI('SendEmail', $request);
        } catch (\Throwable $e) {
            $result = ['result' => 'error', 'message' => $e->getMessage()];
        }
        if (is_array($result) && ($result['result'] ?? '') === 'success') {
            return true;
        }
        $message = is_array($result) ? (string) ($result['message'] ?? 'no message') : 'no answer';
        Unavailable::logProblem($this->client->settings(), 'notices:send', 'SendEmail ' . NoticeTemplate::NAME . ' (client ' . $notice['client_id'] . ', restore ' . $notice['id'] . ')', 'WHMCS SendEmail failed: ' . $message);
        return false;
    }

    /** A signed POST as the bridge itself (neither a client nor an admin id); the decoded success body, or null. */
    private function post(string $action, string $path, array $body): ?array
    {
        $response = $this->client->sendOrLog($action, 'POST', $path, '', '', (string) json_encode($body));
        if ($response === null) {
            return null;
        }
        $decoded = json_decode($response->body, true);
        if ($response->status !== 200 || !is_array($decoded) || ($decoded['status'] ?? '') !== 'success') {
            Unavailable::log($this->client->settings(), $action, 'POST ' . $path, 'HTTP ' . $response->status . ': ' . ($response->failMessage() ?? substr($response->body, 0, 300)));
            return null;
        }
        return $decoded;
    }
}
