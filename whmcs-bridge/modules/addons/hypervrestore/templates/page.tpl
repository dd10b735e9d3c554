{* The sidecar's HTML fragment inside the client area. The sidecar escapes everything it renders (hence nofilter); the
   data attributes tell the page scripts where to send API calls and which CSRF token to send with POSTs. *}
<div class="hypervrestore-bridge" data-hvr-base="{$hvr_base}" data-hvr-csrf="{$hvr_csrf}">
{$hvr_content nofilter}
</div>
