<?php
// Who is asking, from WHMCS's current-user API only: never from a request parameter or header.

namespace WHMCS\Module\Addon\HypervRestore;

final class Identity
{
    public function __construct(
        public readonly ?int $clientId,
        public readonly ?int $adminId,
        public readonly bool $masquerading,
    ) {
    }

    public static function current(): self
    {
        if (!class_exists('\WHMCS\Authentication\CurrentUser')) {
            return new self(null, null, false);
        }
        $user = new \WHMCS\Authentication\CurrentUser();
        $client = $user->client();
        $admin = $user->admin();
        return new self(
            $client !== null ? (int) $client->id : null,
            $admin !== null ? (int) $admin->id : null,
            $user->isMasqueradingAdmin(),
        );
    }

    /** Client routes carry the admin only when the admin acts as this client ("Login as Owner"): the actor. */
    public function clientHeaders(): array
    {
        return [(string) $this->clientId, $this->masquerading && $this->adminId !== null ? (string) $this->adminId : ''];
    }
}
