export function App() {
  return <h1>Storyboard Studio</h1>;
}
