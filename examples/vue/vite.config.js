// Plain Vite. The app uses render functions, so it needs neither the Vue SFC plugin nor
// Vue's template compiler (which would need 'unsafe-eval' under a Content-Security-Policy).
export default {};
