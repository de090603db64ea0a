import './stage.css';

export const metadata = { title: 'Hudong in Next', icons: { icon: 'data:,' } };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (<html lang="th"><body>{children}</body></html>);
}
