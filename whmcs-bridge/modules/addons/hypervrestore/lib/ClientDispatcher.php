<?php
// Client area: view=<name> renders a sidecar page inside the WHMCS template; api=<name> and asset=<path> are
// proxied as they are. The client id is the WHMCS session's, whatever the request says.

namespace WHMCS\Module\Addon\HypervRestore;

final class ClientDispatcher
{
    public const MODULE_LINK = 'index.php?m=hypervrestore';

    public function __construct(
        private readonly SidecarClient $client,
        private readonly Identity $identity,
        private readonly array $vars,
    ) {
    }

    /** A WHMCS client-area page array, or a SidecarResponse to send as the whole response. */
    public function dispatch(array $query, array $post, array $server): array|SidecarResponse
    {
        if (isset($query['api'])) {
            return $this->api($query, $post, $server);
        }
        if (isset($query['asset'])) {
            return $this->asset($query['asset']);
        }
        return $this->view($query);
    }

    private function view(array $query): array
    {
        if ($this->identity->clientId === null) {
            return $this->page('', true);
        }
        $name = is_string($query['view'] ?? null) ? $query['view'] : 'hyperv';
        $route = ClientRoutes::VIEWS[$name] ?? null;
        // The live page says "We will e-mail you" only while the setting is on; the bridge says so, never the browser.
        $query['notice'] = $this->client->settings()->notifyClient ? 'on' : 'off';
        $target = $route !== null ? ClientRoutes::target($route[0], $route[1], $query) : null;
        if ($target !== null) {
            // The theme's Bootstrap goes with every page request (signed with it): the pages wear its classes.
            $target .= (str_contains($target, '?') ? '&' : '?') . 'theme=' . Theme::of($this->vars);
        }
        if ($target === null) {
            http_response_code($route === null ? 404 : 400);
            return $this->page($this->message(Lang::text($this->vars, $route === null ? 'not_found' : 'bad_request')));
        }
        $response = $this->call('GET', $target, '', 'view:' . $name);
        if ($response === null) {
            http_response_code(503);
            return $this->page(Unavailable::html($this->vars));
        }
        http_response_code($response->status);
        $content = $response->isHtml() ? $response->body : $this->message($response->failMessage() ?? Lang::text($this->vars, 'bad_request'));
        return $this->page($content);
    }

    private function api(array $query, array $post, array $server): SidecarResponse
    {
        $checked = ApiRequest::check(ClientRoutes::APIS, $this->identity->clientId !== null, $this->vars, $query, $post, $server);
        if ($checked instanceof SidecarResponse) {
            return $checked;
        }
        [$method, $target, $body, $type] = $checked;
        return $this->call($method, $target, $body, 'api:' . $query['api'], $type) ?? Unavailable::json($this->vars);
    }

    private function asset(mixed $path): SidecarResponse
    {
        $target = ClientRoutes::asset($path);
        if ($target === null) {
            return SidecarResponse::fail(404, Lang::text($this->vars, 'not_found'));
        }
        if ($this->identity->clientId === null) {
            return SidecarResponse::fail(401, Lang::text($this->vars, 'login_required'));
        }
        return $this->call('GET', $target, '', 'asset') ?? Unavailable::json($this->vars);
    }

    /** Sends one signed request; null (after a module log entry) when the sidecar cannot serve the bridge. */
    private function call(string $method, string $target, string $body, string $action, string $type = ''): ?SidecarResponse
    {
        [$clientId, $adminId] = $this->identity->clientHeaders();
        return $this->client->sendOrLog($action, $method, $target, $clientId, $adminId, $body, $type);
    }

    private function message(string $text): string
    {
        return '<div class="alert alert-danger" role="alert">' . htmlspecialchars($text) . '</div>';
    }

    private function page(string $content, bool $requireLogin = true): array
    {
        $title = Lang::text($this->vars, 'page_title');
        return [
            'pagetitle' => $title,
            'breadcrumb' => [self::MODULE_LINK => $title],
            'templatefile' => 'page',
            'requirelogin' => $requireLogin,
            'forcessl' => false,
            'vars' => [
                'hvr_content' => $content,
                'hvr_base' => htmlspecialchars(self::MODULE_LINK),
                'hvr_csrf' => htmlspecialchars(Csrf::token()),
            ],
        ];
    }
}
