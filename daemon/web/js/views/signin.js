// Sign-in: asks once for an API token (read, or admin to act) and the person's name, kept in this browser
// (localStorage). The token is checked against the server before it is kept.
import {h} from '../dom.js';
import {t} from '../i18n.js';
import {api, session, ApiError} from '../api.js';

export function renderSignIn(main, {onSignedIn, message}) {
  const token = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true});
  const name = h('input', {id: 'name', name: 'name', type: 'text', autocomplete: 'name'});
  name.value = session.name;
  const error = h('p', {class: 'error', role: 'alert'}, message || '');
  const submit = h('button', {type: 'submit', class: 'primary'}, t('signIn'));
  const form = h('form', {class: 'panel signin', 'aria-labelledby': 'signin-title'},
      h('h1', {id: 'signin-title'}, t('signIn')),
      h('p', null, t('signInIntro')),
      h('div', {class: 'field'}, h('label', {for: 'token'}, t('token')), token),
      h('div', {class: 'field'}, h('label', {for: 'name'}, t('yourName')), name),
      error,
      h('div', {class: 'actions'}, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    const previous = session.token;
    session.token = token.value.trim();
    try {
      // /api/v1/version needs only a valid read token: it answers on every server, whatever its extensions.
      await api('/api/v1/version');
      session.name = name.value.trim();
      onSignedIn();
    } catch (e) {
      session.token = previous;
      error.textContent = e instanceof ApiError && (e.status === 401 || e.status === 403) ? t('badToken') : e.message;
      submit.disabled = false;
    }
  });
  main.append(form);
  token.focus();
  return {destroy() {}};
}
